"""Resource limits applied to one sandboxed test run."""

from __future__ import annotations

import resource
from dataclasses import dataclass

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class SandboxLimits:
    """Wall time, CPU, memory, file size, open files, processes and kept output of one run."""

    wall_timeout_s: float = 120.0
    cpu_seconds: int = 120
    address_space_bytes: int = 2 * GIB
    file_size_bytes: int = 64 * MIB
    open_files: int = 256
    processes: int = 64
    output_cap_bytes: int = 1 * MIB

    def rlimits(self) -> list[tuple[int, int, int]]:
        """(resource, soft, hard) triples; CPU gets a little headroom so SIGXCPU comes first."""
        return [
            (resource.RLIMIT_AS, self.address_space_bytes, self.address_space_bytes),
            (resource.RLIMIT_CPU, self.cpu_seconds, self.cpu_seconds + 5),
            (resource.RLIMIT_FSIZE, self.file_size_bytes, self.file_size_bytes),
            (resource.RLIMIT_NOFILE, self.open_files, self.open_files),
            (resource.RLIMIT_NPROC, self.processes, self.processes),
            (resource.RLIMIT_CORE, 0, 0),
        ]


def apply_rlimits(limits: SandboxLimits) -> None:
    """Set the limits on the calling process (used in preexec_fn, inherited across exec)."""
    for res, soft, hard in limits.rlimits():
        _, current_hard = resource.getrlimit(res)
        if current_hard != resource.RLIM_INFINITY:
            hard = min(hard, current_hard)
            soft = min(soft, hard)
        resource.setrlimit(res, (soft, hard))
