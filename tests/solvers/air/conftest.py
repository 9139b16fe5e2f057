"""The ``device`` fixture of the CuPy tests: a GPU through CuPy, and the CUDA source on the CPU.

Each CuPy test runs twice: on the GPU (skipped without CuPy and a visible
GPU) and on :class:`.cuda_on_cpu.CpuCudaBackend`, where the same CUDA
source and the same CuPy kernel classes run on the CPU (skipped without a
C++ compiler), so CI checks the GPU code's arithmetic and host logic too.
"""

import pytest

from .cuda_on_cpu import cuda_on_cpu_backend, gpu_backend


@pytest.fixture(scope="module", params=["gpu", "cuda-source-on-cpu"])
def device(request):
    return gpu_backend() if request.param == "gpu" else cuda_on_cpu_backend()
