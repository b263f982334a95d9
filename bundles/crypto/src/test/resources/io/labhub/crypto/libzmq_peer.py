# The libzmq (pyzmq, libsodium) side of LibzmqInteropTest.
# argv: ROLE ENDPOINT SERVER_PUBLIC SERVER_SECRET CLIENT_PUBLIC CLIENT_SECRET (Z85)
# ROLE pub/router: bind ENDPOINT as the CURVE server, print the bound endpoint.
# ROLE sub/dealer: connect to ENDPOINT as the CURVE client. Exit 0 after checking every message.
import sys
import threading
import time
import zmq

role, endpoint = sys.argv[1], sys.argv[2]
server_public, server_secret, client_public, client_secret = [a.encode() for a in sys.argv[3:7]]
SIZES = [64, 1048576 + 17]


def payload(n, salt):
    pattern = bytes((i * 7 + salt) % 251 for i in range(251))
    return (pattern * (n // 251 + 1))[:n]


ctx = zmq.Context()
if role in ('pub', 'router'):
    s = ctx.socket(zmq.PUB if role == 'pub' else zmq.ROUTER)
    s.curve_server = True
    s.curve_secretkey = server_secret
    s.bind(endpoint)
    print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
else:
    s = ctx.socket(zmq.SUB if role == 'sub' else zmq.DEALER)
    s.curve_serverkey = server_public
    s.curve_publickey = client_public
    s.curve_secretkey = client_secret
    s.rcvtimeo = 20000
    if role == 'sub':
        s.setsockopt(zmq.SUBSCRIBE, b'')
    s.connect(endpoint)

if role == 'pub':
    # Publish until the test closes stdin (PUB drops everything before the subscription arrives).
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    messages = [payload(n, 1) for n in SIZES]
    deadline = time.time() + 30
    while not done.is_set() and time.time() < deadline:
        for m in messages:
            s.send(m)
        time.sleep(0.01)
elif role == 'sub':
    expected = {n: payload(n, 2) for n in SIZES}
    got = set()
    while len(got) < len(SIZES):
        m = s.recv()
        if expected.get(len(m)) == m:
            got.add(len(m))
        else:
            sys.exit('unexpected message of %d bytes' % len(m))
    print('ok sub', sorted(got), flush=True)
elif role == 'router':
    for _ in SIZES:
        ident, m = s.recv_multipart()
        s.send_multipart([ident, m[::-1]])
    s.setsockopt(zmq.LINGER, 5000)
    print('ok router', flush=True)
elif role == 'dealer':
    for n in SIZES:
        m = payload(n, 3)
        s.send(m)
        r = s.recv()
        if r != m[::-1]:
            sys.exit('wrong reply of %d bytes to %d' % (len(r), n))
    print('ok dealer', flush=True)
s.close(linger=5000)
ctx.term()
