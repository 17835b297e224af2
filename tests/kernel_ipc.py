"""Test kernels talk over IPC (Unix sockets), never TCP, so parallel kernel starts cannot collide.

Why: jupyter_client picks a TCP kernel's five ports by binding port 0 and closing the socket again
(``connect.write_connection_file``, ``LocalPortCache``), writes them into the connection file, and the
kernel binds them only when it has started, seconds later on a loaded machine. Any other process that
binds an ephemeral port in between (the other pytest-xdist worker's kernels, the browser tests' Jupyter
servers and their kernels, ``browser_util.free_port``) can take one of them; ipykernel tries a given port
once (``kernelapp._bind_socket``), dies with "Address already in use", and nbval reports "Kernel died
before replying to kernel_info" with every cell of the notebook errored (``make test``, issue 14;
``tools/kernel_port_race.py`` reproduces it). jupyter_client's own ``LocalPortCache`` says it protects
only the kernels of one process.

Over IPC a kernel's sockets are files named after a path unique to that kernel (``ip`` below: a fresh
directory of this process, a random name), so no other kernel and no TCP user can take them. The root
``conftest.py`` gives nbval these managers; ``IpcAsyncKernelManager`` is nbclient's
(``NotebookClient(kernel_manager_class=...)``, ``ExecutePreprocessor.kernel_manager_class`` for nbgrader);
Jupyter servers get ``--KernelManager.transport=ipc`` (their kernel managers name each kernel's connection
file after its id, so the default ``ip`` is unique there already).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid

from jupyter_client import AsyncKernelManager, KernelManager
from traitlets import default

# short: a Unix socket path may not exceed 107 bytes (this dir + "/k-" + 32 hex + "-5")
_DIR = tempfile.mkdtemp(prefix="e4k-")
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)


def _over_ipc(base: type) -> type:
    class Manager(base):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:  # the socket files are <ip>-<n>: a path no other kernel uses
            return os.path.join(_DIR, "k-" + uuid.uuid4().hex)

    Manager.__name__ = Manager.__qualname__ = "Ipc" + base.__name__
    Manager.__module__ = __name__
    return Manager


IpcKernelManager = _over_ipc(KernelManager)
IpcAsyncKernelManager = _over_ipc(AsyncKernelManager)
