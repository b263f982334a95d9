"""Helper processes for the tests (killed with SIGKILL by them): python3 procs.py shm|pub NAME [schema-json]."""
import json
import sys
import time

import labhub


def main():
    kind, name = sys.argv[1], sys.argv[2]
    schema = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
    hub = labhub.Client(admission_timeout=30)
    if kind == "shm":
        ch = hub.shm_producer(name, slot_size=256, slots=16, schema=schema)
    else:
        ch = hub.publish(name, schema=schema)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        if schema is not None:
            ch.publish({"n": i})
        else:
            ch.publish(i.to_bytes(8, "little"))
        time.sleep(0.002)


if __name__ == "__main__":
    main()
