#!/usr/bin/python3
"""dp_probe.py SOCKET [--hold S] MSG...: speak the device-plugin protocol
raw, for the bad-input tests. Each MSG is sent as one SOCK_SEQPACKET
datagram (Python escapes allowed, e.g. '/connect,x\\x00'); after each one
the reply (or EOF, or a timeout) is printed on a line of its own, with
' +fd' when a file descriptor came with it. '@close' closes the connection
there (mid-exchange); '@sleep:S' waits S seconds without speaking."""
import array
import socket
import sys
import time


def main():
    args = sys.argv[1:]
    path = args.pop(0)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(8)
    s.connect(path)
    for m in args:
        if m == "@close":
            s.close()
            print("closed")
            return 0
        if m.startswith("@sleep:"):
            time.sleep(float(m[7:]))
            continue
        data = m.encode().decode("unicode_escape").encode("latin-1")
        try:
            s.send(data)
            fds = array.array("i")
            msg, anc, _, _ = s.recvmsg(256, socket.CMSG_SPACE(4 * fds.itemsize))
        except socket.timeout:
            print("timeout")
            return 0
        except OSError as e:
            print("error " + e.__class__.__name__)
            return 0
        got_fd = False
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                got_fd = True
        if not msg:
            print("eof")
            return 0
        print(msg.decode("latin-1") + (" +fd" if got_fd else ""))
    return 0


sys.exit(main())
