"""pytest setup for the whole repository: the tests in tests/ and the nbval checks of notebooks/.

Every kernel a test starts talks over IPC, not TCP (``tests/kernel_ipc.py`` says why: parallel TCP
kernel starts could lose their ports to each other and to the browser tests' servers, and nbval then
reported "Kernel died before replying to kernel_info"; ``tools/kernel_port_race.py`` reproduces it).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))

import nbval.kernel  # noqa: E402
from kernel_ipc import IpcKernelManager  # noqa: E402

nbval.kernel.KernelManager = IpcKernelManager  # the manager nbval's start_new_kernel creates
