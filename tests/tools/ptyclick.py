#!/usr/bin/env python3
"""Run tlsfleet on a pseudo-terminal (TERM=xterm-256color, 120x40), wait
until the first refresh round has ended, click with the mouse (an SGR
press and release at column X, row Y, 1-based) and type KEYS; print
everything the dashboard wrote, decoded as latin-1 so every byte survives,
to stdout. Used by tests/integration/it_habits.sh: tmux's send-keys cannot send mouse
events to an application, a pty can.

usage: ptyclick.py TLSFLEET CONFIG X Y CLICK_SHOWS KEYS WAIT_FOR_AFTER

CLICK_SHOWS is text the redraw after the click writes (the selected row's
name): keys typed in the same read as the click may be taken before it,
so they go only once the click has been seen."""
import os, pty, select, struct, sys, time, fcntl, termios

tlsfleet, config, x, y, click_shows, keys, after = sys.argv[1:8]
pid, fd = pty.fork()
if pid == 0:
    # The size is set before tlsfleet starts: a SIGWINCH racing its start
    # could leave it drawing for another size than the click assumes.
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    os.execv(tlsfleet, [tlsfleet, "-c", config])
out = bytearray()


def read_until(needle, seconds, start=0):
    """Read until needle shows up in the output from offset start on."""
    deadline = time.monotonic() + seconds
    while needle not in out[start:]:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            out.extend(chunk)
    return True


ok = read_until(b"next in", 30)
if ok:
    mark = len(out)
    os.write(fd, b"\x1b[<0;%d;%dM\x1b[<0;%d;%dm" % (int(x), int(y), int(x), int(y)))
    ok = read_until(click_shows.encode(), 20, mark)
    os.write(fd, keys.encode())
    ok = read_until(after.encode(), 20) and ok
os.write(fd, b"q")
# Until the dashboard has gone (end of file on the pty), at most 10 s.
read_until(b"\x00never", 10)
if os.waitpid(pid, os.WNOHANG) == (0, 0):
    os.kill(pid, 9)
    os.waitpid(pid, 0)
sys.stdout.write(out.decode("latin-1"))
sys.exit(0 if ok else 1)
