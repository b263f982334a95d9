"""The Python side of the benchmark group 'python' (io.labhub.bench.PythonGroup drives it; see benchmarks/README.md).

  bench.py consume-shm CHANNEL SIZE WARM_MS MEASURE_MS     frames read as numpy views (both ends touched)
  bench.py consume-pubsub CHANNEL SIZE WARM_MS MEASURE_MS  messages received
  bench.py produce-shm CHANNEL                             64 B frames into a reliable 4096-slot ring

A consumer prints '@@rate PER_SECOND BYTES_PER_SECOND' (what Measure.rate computes on the Java side: warm up,
then count for MEASURE_MS); the producer prints 'ready', then publishes until it is killed or stdin closes.
Broker and key: LABHUB_BROKER, LABHUB_BROKER_KEY, LABHUB_KEYS.
"""
import sys
import threading
import time

import numpy as np

import labhub


def rate(step, size, warm_ms, measure_ms):
    end = time.perf_counter() + warm_ms / 1000
    while time.perf_counter() < end:
        step()
    count = 0
    t0 = time.perf_counter()
    stop = t0 + measure_ms / 1000
    while True:
        count += step()
        t1 = time.perf_counter()
        if t1 >= stop:
            break
    per_second = count / (t1 - t0)
    print("@@rate %r %r" % (per_second, per_second * size), flush=True)


def main():
    mode, name = sys.argv[1], sys.argv[2]
    with labhub.Client(admission_timeout=60) as hub:
        if mode == "consume-shm":
            size, warm, measure = map(int, sys.argv[3:6])
            with hub.shm(name, spin=1e-3) as con:
                con.next(60)
                sink = [0]

                def step():
                    f = con.next(10)
                    a = np.frombuffer(f.data, dtype=np.uint8)   # the frame as a zero-copy numpy view
                    sink[0] += int(a[0]) + int(a[-1])
                    return 1
                rate(step, size, warm, measure)
                print("@@info received=%d gaps=%d overruns=%d dropped=%d errors=%d" % (
                    con.received, con.gaps, con.overruns, con.dropped, con.errors), flush=True)
        elif mode == "consume-pubsub":
            size, warm, measure = map(int, sys.argv[3:6])
            with hub.subscribe(name) as sub:
                sub.recv(60)
                rate(lambda: sub.recv(10) and 1, size, warm, measure)
                print("@@info received=%d gaps=%d errors=%d" % (sub.received, sub.gaps, sub.errors), flush=True)
        elif mode == "produce-shm":
            with hub.shm_producer(name, slot_size=64, slots=4096, policy="reliable", reliable_timeout=5) as p:
                payload = bytes(64)
                stop = threading.Event()
                threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
                print("ready", flush=True)
                while not stop.is_set():
                    for _ in range(1000):
                        p.publish(payload)
        else:
            raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
