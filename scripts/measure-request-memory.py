#!/usr/bin/env python3
"""Peak memory of `sextant serve-model` receiving one large, valid inference request
(issue 15: a 96 MB request grew the server to 3.9 GB). Trains the quickstart model, starts
the server, sends a request of about SIZE bytes with its Content-Length on a raw socket,
prints the answer's first bytes, the time to it, the process's peak RSS (VmHWM) and
whether the same process still serves. Not a test: a figure to quote.

usage: scripts/measure-request-memory.py SEXTANT_BINARY [SIZE_BYTES] [-- SERVE_MODEL_FLAGS...]
e.g.   scripts/measure-request-memory.py .build/release/sextant 96000000
       scripts/measure-request-memory.py .build/release/sextant 96000000 -- --max-request-bytes 134217728
"""
import os, random, socket, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]
extra = args[args.index("--") + 1:] if "--" in args else []
args = args[:args.index("--")] if "--" in args else args
binary = os.path.abspath(args[0])
size = int(args[1]) if len(args) > 1 else 96_000_000

work = tempfile.mkdtemp(prefix="sextant-memory-")
subprocess.run([binary, "train", "--data", f"{root}/examples/quickstart/data/transactions.csv", "--target", "is_fraud",
                "--features", "amount,hour,merchant_risk,account_age_days", "--seed", "42", "--output", f"{work}/model"],
               check=True, stdout=subprocess.DEVNULL)

random.seed(1)
rows = size // 19  # about 19 bytes of JSON per row over the four inputs
columns = [("amount", "FP64", lambda: f"{random.uniform(1, 999):.2f}"), ("hour", "INT64", lambda: str(random.randrange(24))),
           ("merchant_risk", "FP64", lambda: f"{random.random():.2f}"), ("account_age_days", "INT64", lambda: str(random.randrange(3000)))]
inputs = ",".join('{"name":"%s","datatype":"%s","shape":[%d],"data":[%s]}' % (name, kind, rows, ",".join(make() for _ in range(rows)))
                  for name, kind, make in columns)
body = ('{"inputs":[%s]}' % inputs).encode()

probe = socket.socket(); probe.bind(("127.0.0.1", 0)); port = probe.getsockname()[1]; probe.close()
server = subprocess.Popen([binary, "serve-model", "--artifact", f"{work}/model", "--name", "fraud", "--port", str(port)] + extra,
                          stdout=open(f"{work}/serve.log", "w"), stderr=subprocess.STDOUT)

def mebibytes(field):
    for line in open(f"/proc/{server.pid}/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024

for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", port)).close()
        break
    except OSError:
        time.sleep(0.05)
print(f"request: {len(body)} bytes; server idle RSS {mebibytes('VmRSS')} MiB")
connection = socket.create_connection(("127.0.0.1", port))
connection.settimeout(900)
start = time.time()
connection.sendall(b"POST /v2/models/fraud/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   + f"Content-Length: {len(body)}\r\n\r\n".encode())
try:
    connection.sendall(body)
except OSError as error:
    print("sending the body:", error)
answer = b""
while True:
    try:
        chunk = connection.recv(65536)
    except OSError as error:
        print("reading the answer:", error)
        break
    if not chunk:
        break
    answer += chunk
    head, _, rest = answer.partition(b"\r\n\r\n")
    lengths = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    if lengths and len(rest) >= lengths[0]:
        break
print(f"answer after {time.time() - start:.1f} s: {answer[:200]!r}")
time.sleep(1)
print(f"peak RSS (VmHWM) {mebibytes('VmHWM')} MiB, RSS now {mebibytes('VmRSS')} MiB")
ready = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"http://127.0.0.1:{port}/v2/health/ready"],
                       capture_output=True, text=True).stdout
print(f"the same process (pid {server.pid}) still serves: /v2/health/ready {ready}, alive {server.poll() is None}")
server.terminate()
server.wait()
