"""The ``make test`` kernel flake (issue 14, item 11): a TCP kernel dies when another process takes one of
its ports between jupyter_client choosing it and the kernel binding it; every kernel the test suite starts
talks over IPC instead, where there is no port to take (``tests/kernel_ipc.py``)."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import browser_util
import kernel_ipc
import nbval.kernel
import pytest
from jupyter_client import KernelManager

ROOT = Path(__file__).resolve().parents[1]


def test_nbval_starts_its_kernels_over_ipc_on_private_paths():
    assert nbval.kernel.KernelManager is kernel_ipc.IpcKernelManager, "the root conftest.py sets it"
    km, kc = nbval.kernel.start_new_kernel(kernel_name=nbval.kernel.CURRENT_ENV_KERNEL_NAME,
                                           stderr=subprocess.DEVNULL)
    try:
        info = km.get_connection_info()
        assert info["transport"] == "ipc" and info["ip"].startswith(kernel_ipc._DIR + os.sep)
        reply = kc.execute_interactive("x = 6 * 7", timeout=60)
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert kernel_ipc.IpcKernelManager().ip != kernel_ipc.IpcKernelManager().ip
    assert len(kernel_ipc._DIR + "/k-" + 32 * "0" + "-99") < 107, "a Unix socket path's limit"


def test_nbclient_and_servers_use_ipc_too():
    assert kernel_ipc.IpcAsyncKernelManager().transport == "ipc"
    for mode in ("lab", "voila"):
        cmd, _, _ = browser_util._command(mode, 8888, "t", Path("/tmp"))
        assert "--KernelManager.transport=ipc" in cmd and any("port_retries=0" in c for c in cmd)


def test_a_taken_port_kills_a_tcp_kernel():
    """The mechanism, made deterministic: the kernel process has been launched with its ports written in its
    connection file; before it binds them (it takes some hundred milliseconds to import ipykernel), another
    process takes the shell port, as a test server on a "free" port or another kernel may."""
    km = KernelManager(kernel_name=nbval.kernel.CURRENT_ENV_KERNEL_NAME,
                       kernel_spec_manager=nbval.kernel.NbvalKernelspecManager())
    km.start_kernel(stderr=subprocess.DEVNULL)
    thief = socket.socket()
    try:
        thief.bind((km.ip, km.shell_port))
        thief.listen()
        kc = km.client()
        kc.start_channels()
        with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
            kc.wait_for_ready(timeout=60)
        kc.stop_channels()
    finally:
        thief.close()
        km.shutdown_kernel(now=True)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare -n")
def test_parallel_ipc_kernels_survive_a_port_range_of_64():
    """tools/kernel_port_race.py in a private network namespace with 64 ephemeral ports: with TCP most of the
    kernels die there (17 of 24 when measured); over IPC none may."""
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "kernel_port_race.py"), "--port-range",
                           "40000-40063", "--transport", "ipc", "--workers", "3", "--rounds", "3"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and "9 ok, 0 died" in proc.stdout, proc.stdout + proc.stderr[-2000:]
