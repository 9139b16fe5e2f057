"""Internal flow patches: air taken out at one obstacle face and put back at another.

A rack draws room air in at its front (the *sink* opening) and blows it out
at the back (the *source* opening) with the same volume flow, warmer by its
air-side heat.  An air unit does the reverse: it draws warm air in and
supplies it at a setpoint while its capacity allows.  Both are a
:class:`Patch`: a sink and a source :class:`Opening`, each a set of faces
between an obstacle's solid cells and the fluid beside them.  Their normal
velocities are prescribed (``Q / A`` of each opening), so the pressure sees
them as Neumann boundaries and, because both openings carry the same ``Q``,
the Poisson right-hand side still sums to zero: mass is conserved to round-off.

All per-patch arithmetic is vectorised over patches on the backend's arrays
(gathers, per-patch sums over the sink cells, one scatter), so a hall with a
hundred racks costs a few small kernels per step, not hundreds.  The sink
cells are stored patch after patch, so a patch's sum is a difference of a
running sum: unlike ``bincount``, which on CuPy reads its largest index back
to size its output, this never waits for the GPU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grid import FACES, GHOST, Grid


@dataclass(frozen=True)
class Opening:
    """The faces on one side of an obstacle box.

    Parameters
    ----------
    lo, hi : tuple of float
        Corners of the obstacle box (m); the box's cells must be solid.
    side : str
        Which side of the box: ``"x-"``, ``"x+"``, ``"y-"``, ``"y+"``, ``"z-"``, ``"z+"``.
    """

    lo: tuple
    hi: tuple
    side: str


@dataclass(frozen=True)
class PatchReport:
    """What a patch did in the last step.

    Attributes
    ----------
    flow : float
        Volume flow (m³/s).
    sink_temperature : float
        Mean temperature of the air entering the sink opening (°C).
    source_temperature : float
        Temperature of the air leaving the source opening (°C).
    heat : float
        Heat added to the air in the last step (W; negative when removed).
    energy : float
        Heat added since the start (J).
    """

    flow: float
    sink_temperature: float
    source_temperature: float
    heat: float
    energy: float


def opening_faces(grid: Grid, opening: Opening):
    """Locate an opening's faces.

    Returns
    -------
    axis : int
        Normal axis (0 = x).
    faces : ndarray of int
        Flat indices (padded face array of that axis) of the opening's faces.
    cells : ndarray of int
        Flat indices (padded cell arrays) of the fluid cells beside them.
    outward : int
        +1 when the air leaving the obstacle moves towards +axis.
    """
    if opening.side not in FACES:
        raise ValueError(f"opening side must be one of {FACES}, got {opening.side!r}")
    axis = FACES.index(opening.side) // 2
    high = opening.side.endswith("+")
    box = grid.cell_range(opening.lo, opening.hi)
    if not grid.solid[box].all():
        raise ValueError(f"opening {opening}: the box is not an obstacle (mark it solid first)")
    arr_axis = 2 - axis
    ks, js, is_ = (np.arange(s.start, s.stop) for s in box)
    kk, jj, ii = np.meshgrid(ks, js, is_, indexing="ij")
    idx = [kk, jj, ii]
    edge = (box[arr_axis].stop - 1) if high else box[arr_axis].start
    sel = idx[arr_axis] == edge
    inside = [a[sel] for a in idx]
    outside = list(inside)
    outside[arr_axis] = inside[arr_axis] + (1 if high else -1)
    n_axis = (grid.nz, grid.ny, grid.nx)[arr_axis]
    ok = (outside[arr_axis] >= 0) & (outside[arr_axis] < n_axis)
    ok[ok] = ~grid.solid[tuple(o[ok] for o in outside)]
    if not ok.any():
        raise ValueError(f"opening {opening}: no fluid cell lies beside that side of the box")
    inside = [a[ok] + GHOST for a in inside]
    outside = [a[ok] + GHOST for a in outside]
    face = outside if high else inside  # a face belongs to the cell on its high side
    faces = np.ravel_multi_index(tuple(face), grid.padded)
    cells = np.ravel_multi_index(tuple(outside), grid.padded)
    return axis, faces, cells, (1 if high else -1)


class PatchSet:
    """All flow patches of a solver, with their per-step settings on the backend.

    Parameters
    ----------
    grid : Grid
    backend : Backend
    dtype : numpy dtype
    rho, cp : float
        Air density (kg/m³) and specific heat (J/(kg K)) for heat ↔ temperature.
    """

    def __init__(self, grid, backend, dtype, rho, cp):
        self.grid, self.backend, self.dtype = grid, backend, np.dtype(dtype)
        self.rho_cp = rho * cp
        self.names: list[str] = []
        self._openings: list[tuple] = []  # per patch: (sink info, source info)
        self._depths: list[tuple] = []  # per patch: cells of the sink and source boxes
        #: Carry each opening's velocity into its box, half the box deep
        #: (semi-Lagrangian transport traces trajectories through it).
        self.through_flow = False
        self._settings: list[dict] = []
        self._device = None
        self._geometry = None
        self._energy = None
        self._dirty = True
        #: the last :meth:`reports`, until a step or a setting changes them
        self._reports = None
        #: the cells behind the source openings (:meth:`source_cells`), once
        self._sources = None
        #: :meth:`exchange`'s per-patch work as one kernel on CuPy (False elsewhere),
        #: made on first use
        self._fused = None

    def __len__(self):
        return len(self.names)

    def add(self, name, sink: Opening, source: Opening):
        """Add a patch; returns its index.  Flow starts at zero."""
        if name in self.names:
            raise ValueError(f"a patch named {name!r} exists already")
        self._openings.append((opening_faces(self.grid, sink), opening_faces(self.grid, source)))
        self._depths.append(tuple(self._depth(o) for o in (sink, source)))
        self.names.append(name)
        self._settings.append({"flow": 0.0, "heat": 0.0, "setpoint": np.nan, "capacity": np.inf})
        self._geometry = self._reports = self._sources = None
        self._dirty = True
        return len(self.names) - 1

    def _depth(self, opening):
        """Cells of an opening's box along the opening's normal."""
        box = self.grid.cell_range(opening.lo, opening.hi)
        axis = FACES.index(opening.side) // 2
        return box[2 - axis].stop - box[2 - axis].start

    def _inner_faces(self, p, which, fidx, axis, outward):
        """Faces inside patch ``p``'s box behind an opening (``which`` 0 sink, 1 source)."""
        n = self._depths[p][which]
        depth = n // 2 if which == 1 else n - 1 - n // 2
        stride = (1, self.grid.padded[2], self.grid.padded[1] * self.grid.padded[2])[axis]
        return [fidx - m * outward * stride for m in range(1, depth + 1)]

    def set(self, name, flow, heat=None, setpoint=None, capacity=None):
        """Set a patch's flow (m³/s) and its heat (W), or its setpoint (°C) and capacity (W)."""
        if name not in self.names:
            raise KeyError(f"no patch named {name!r}")
        if flow < 0 or not np.isfinite(flow):
            raise ValueError(f"patch {name!r}: flow must be finite and >= 0, got {flow}")
        if (heat is None) == (setpoint is None):
            raise ValueError(f"patch {name!r}: give either heat or setpoint")
        s = self._settings[self.names.index(name)]
        s.update(
            flow=float(flow),
            heat=float(heat or 0.0),
            setpoint=np.nan if setpoint is None else float(setpoint),
            capacity=np.inf if capacity is None else float(capacity),
        )
        self._dirty = True
        self._reports = None

    # ------------------------------------------------------------------ device side
    def _build_geometry(self):
        """Index arrays of every opening, on the device (once, when patches change)."""
        be = self.backend
        h = self.grid.spacing
        sink, src = {"cells": [], "pid": [], "rate": []}, {"cells": [], "pid": [], "rate": []}
        faces = {0: [], 1: [], 2: []}
        face_pid, face_dir = {0: [], 1: [], 2: []}, {0: [], 1: [], 2: []}
        for p, openings in enumerate(self._openings):
            for which, ((axis, fidx, cells, outward), sign, lists) in enumerate(
                zip(openings, (-1, 1), (sink, src), strict=True)
            ):
                area = fidx.size * h[(axis + 1) % 3] * h[(axis + 2) % 3]
                prescribed = [fidx]
                if self.through_flow:
                    prescribed += self._inner_faces(p, which, fidx, axis, outward)
                for f in prescribed:
                    faces[axis].append(f)
                    face_pid[axis].append(np.full(f.size, p))
                    # face velocity = direction * flow, direction = ±1 / area
                    face_dir[axis].append(np.full(f.size, sign * outward / area))
                lists["cells"].append(cells)
                lists["pid"].append(np.full(cells.size, p))
                # |u| / h_axis per unit flow: the fraction of a cell replaced per second
                lists["rate"].append(np.full(cells.size, 1.0 / (area * h[axis])))
        cat = np.concatenate
        all_cells = cat(sink["cells"] + src["cells"])
        unique, inverse = np.unique(all_cells, return_inverse=True)
        n = len(self.names)
        geo = {
            key + "_" + name: be.to_device(cat(lists[key]))
            for name, lists in (("sink", sink), ("src", src))
            for key in ("cells", "pid", "rate")
        }
        geo["faces"] = {
            a: (
                be.to_device(cat(faces[a])),
                be.to_device(cat(face_pid[a])),
                be.to_device(cat(face_dir[a])),
            )
            for a in faces
            if faces[a]
        }
        geo["unique"], geo["inverse"] = be.to_device(unique), be.to_device(inverse)
        counts = np.bincount(cat(sink["pid"]), minlength=n)
        geo["counts"] = be.to_device(counts.astype(float))
        # the running sum's index of each patch's last sink cell
        geo["sink_last"] = be.to_device(np.cumsum(counts) - 1)
        self._geometry = geo
        self._energy = be.xp.zeros(n)
        self._device = None

    def _push_settings(self, velocity):
        """Send the per-patch settings and prescribe the openings' face velocities."""
        if self._geometry is None:
            self._build_geometry()
        be = self.backend
        col = lambda key: be.to_device(np.array([s[key] for s in self._settings]))  # noqa: E731
        self._device = {key: col(key) for key in ("flow", "heat", "setpoint", "capacity")}
        for axis, (fidx, pid, direction) in self._geometry["faces"].items():
            values = direction * self._device["flow"][pid]
            velocity[axis].reshape(-1)[fidx] = values.astype(self.dtype)
        self._dirty = False

    def prepare(self, velocity):
        """Prescribe the openings' face velocities if a setting changed (call before a step)."""
        if self.names and self._dirty:
            self._push_settings(velocity)

    def _per_patch(self, values):
        """Sums of ``values`` (one per sink cell, float64) over each patch's sink cells."""
        ends = self._running_ends(values)
        return self.backend.xp.concatenate([ends[:1], ends[1:] - ends[:-1]])

    def _running_ends(self, values):
        """The running sum of ``values`` (one per sink cell) at each patch's last sink cell."""
        return self.backend.xp.cumsum(values)[self._geometry["sink_last"]]

    def _exchange(self, T):
        """Sink cell temperatures, sink means, heat (W) and source temperatures from ``T``."""
        d, geo, xp = self._device, self._geometry, self.backend.xp
        t_cells = T.reshape(-1)[geo["cells_sink"]].astype(np.float64)
        t_sink = self._per_patch(t_cells) / geo["counts"]
        mcp = self.rho_cp * d["flow"]
        safe = xp.where(mcp > 0, mcp, 1.0)
        wanted = xp.where(xp.isnan(d["setpoint"]), d["heat"], mcp * (d["setpoint"] - t_sink))
        heat = xp.where(mcp > 0, xp.clip(wanted, -d["capacity"], d["capacity"]), 0.0)
        return t_cells, t_sink, heat, t_sink + heat / safe

    def apply(self, T, T_new, velocity, dt, stage):
        """Add the patches' advective heat fluxes for one forward-Euler stage of ``dt`` s.

        Reads the sink temperatures from ``T`` (the stage's start) and adds
        ``dt`` times the patch fluxes to ``T_new``.  The temperature takes two
        such stages per step (Heun's method averages them), so each stage
        books half of its heat: ``stage`` 0 starts the step's report, 1 completes it.
        """
        if not self.names:
            return
        self.prepare(velocity)
        d, geo, xp = self._device, self._geometry, self.backend.xp
        t_cells, t_sink, _, t_src = self._exchange(T)
        sink_flow = geo["rate_sink"] * d["flow"][geo["pid_sink"]]
        src_flow = geo["rate_src"] * d["flow"][geo["pid_src"]]
        delta = xp.concatenate([-dt * sink_flow * t_cells, dt * src_flow * t_src[geo["pid_src"]]])
        per_cell = xp.bincount(geo["inverse"], weights=delta, minlength=int(geo["unique"].size))
        flat = T_new.reshape(-1)
        flat[geo["unique"]] += per_cell.astype(self.dtype)
        # heat actually carried, from the same discrete fluxes that changed T:
        # rate * flow * cell volume is the face's volume flow
        volume = float(np.prod(self.grid.spacing))
        taken = self._per_patch(sink_flow * t_cells) * volume
        carried = 0.5 * self.rho_cp * (d["flow"] * t_src - taken)
        if stage == 0:
            d["t_sink"], d["t_src"], d["last_heat"] = t_sink, t_src, carried
        else:
            d["last_heat"] = d["last_heat"] + carried
        self._energy += carried * dt
        self._reports = None

    def exchange(self, T, velocity, dt):
        """Book one step of ``dt`` s taken by whole-step (semi-Lagrangian) transport.

        The sink means and source temperatures come from ``T`` (the step's
        start); the heat booked is ``rho cp Q (T_source - T_sink)`` exactly,
        which the scheme's energy fixer makes the room receive.  The cells
        behind each source opening (:meth:`source_cells`) then take the
        source temperature in ``T``: a trajectory that starts next to the
        opening traces back into them, which is how the supply air enters.
        On CuPy the per-patch work is one kernel (:mod:`.patches_cupy`).

        Returns
        -------
        heat : device array
            One value per patch (W).
        """
        self.prepare(velocity)
        d, geo = self._device, self._geometry
        if self._sources is None:
            self._sources = self.source_cells()
        cells, pid, ends = self._sources
        if self._fused is None:
            self._fused = False
            if self.backend.name == "cupy":
                from .patches_cupy import FusedExchange

                self._fused = FusedExchange(self.backend, self.dtype)
        if self._fused:
            sums = self._running_ends(T.reshape(-1)[geo["cells_sink"]].astype(np.float64))
            t_sink, heat, t_src = self._fused(
                sums, d, geo["counts"], self.rho_cp, dt, (cells, ends), T, self._energy
            )
        else:
            _, t_sink, heat, t_src = self._exchange(T)
            self._energy += heat * dt
            T.reshape(-1)[cells] = t_src[pid].astype(self.dtype)
        d["t_sink"], d["t_src"], d["last_heat"] = t_sink, t_src, heat
        self._reports = None
        return heat

    def source_cells(self):
        """Solid cells behind each source opening, up to half the box deep.

        Returns
        -------
        cells, pid, ends : device arrays of int
            Flat padded cell indices, patch after patch; each cell's patch;
            and where each patch's cells end.
        """
        strides = (1, self.grid.padded[2], self.grid.padded[1] * self.grid.padded[2])
        solid = np.zeros(self.grid.padded, dtype=bool)
        solid[GHOST:-GHOST, GHOST:-GHOST, GHOST:-GHOST] = self.grid.solid
        solid = solid.reshape(-1)
        cells, pid = [], []
        for p, (_, (axis, _, outside, outward)) in enumerate(self._openings):
            step = outward * strides[axis]
            depth = max(1, (self._depths[p][1] + 1) // 2)
            for m in range(1, depth + 1):
                inside = outside - m * step
                inside = inside[solid[inside]]
                cells.append(inside)
                pid.append(np.full(inside.size, p))
        pid = np.concatenate(pid)
        ends = np.cumsum(np.bincount(pid, minlength=len(self.names)))
        be = self.backend
        return be.to_device(np.concatenate(cells)), be.to_device(pid), be.to_device(ends)

    def reports(self):
        """Per-patch :class:`PatchReport` of the last step, by name (host values).

        Kept until the next step or setting: the engine asks several times
        between two steps, and on a GPU each read-back is a wait.  The four
        per-patch arrays come back in one transfer.
        """
        if self._reports is not None:
            return dict(self._reports)
        if not self.names or self._device is None or "t_sink" not in self._device:
            return {
                name: PatchReport(s["flow"], np.nan, np.nan, 0.0, 0.0)
                for name, s in zip(self.names, self._settings, strict=True)
            }
        d, be = self._device, self.backend
        both = be.xp.stack([d["t_sink"], d["t_src"], d["last_heat"], self._energy])
        t_sink, t_src, heat, energy = be.to_host(both)
        self._reports = {
            name: PatchReport(
                s["flow"], float(t_sink[p]), float(t_src[p]), float(heat[p]), float(energy[p])
            )
            for p, (name, s) in enumerate(zip(self.names, self._settings, strict=True))
        }
        return dict(self._reports)
