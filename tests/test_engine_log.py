"""The embedded server's stderr is drained while it runs: llama.cpp logs every request, and a
pipe nobody reads fills at 64 KiB and then blocks the server (every request hangs)."""
from __future__ import annotations

import collections
import subprocess
import sys
import threading

from extract.llm.engine import _drain


def test_a_chatty_child_never_blocks_and_its_last_lines_are_kept():
    # 1 MiB of log lines, far past a pipe's buffer: without the drain the child blocks on write.
    script = "import sys\nfor i in range(20000): sys.stderr.write(f'line {i:05d} ' + 'x' * 40 + '\\n')\n"
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tail = collections.deque(maxlen=3)
    reader = threading.Thread(target=_drain, args=(proc.stderr, tail), daemon=True)
    reader.start()
    assert proc.wait(timeout=30) == 0
    reader.join(timeout=10)
    assert [line[:10] for line in tail] == [b"line 19997", b"line 19998", b"line 19999"]
    proc.stderr.close()
