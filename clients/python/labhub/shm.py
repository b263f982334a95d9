"""Shared-memory channels (docs/shm-layout.md): a consumer that joins the segment's consumer table, and a
producer that a Java consumer reads. Linux x86-64; one thread per consumer or producer object."""
import mmap
import os
import re
import threading
import time

from . import _native as nat
from . import errors
from .schema import Schema

try:
    import numpy as np
except ImportError:
    np = None

MAGIC = 0x485342554842414C
LAYOUT_VERSION = 3
SUPPORTED_LAYOUTS = (3,)
PAGE = 4096
LINE = 64
# header
O_LAYOUT, O_SLOTS_OFFSET, O_SLOT_COUNT, O_SLOT_SIZE, O_SLOT_STRIDE, O_FLAGS, O_CAPACITY, O_TABLE_OFFSET = 8, 12, 16, 20, 24, 28, 32, 36
O_PID, O_START_MS, O_HB_PERIOD, O_RELIABLE_TIMEOUT, O_CREATED = 40, 48, 56, 64, 72
O_PRODUCER_HB, O_PRODUCER_STATE, O_WRITE_SEQ = 128, 136, 192
O_FRAMES, O_BYTES, O_UNBLOCKS, O_RELIABLE_TIMEOUTS = 320, 328, 336, 344
O_NAME_LEN, O_NAME, NAME_MAX = 512, 516, 255
O_SCHEMA_HASH, O_SCHEMA_LENGTH, O_SCHEMA_OFFSET, SCHEMA_MAX = 1024, 1056, 1060, 16 * 1024
FLAG_RELIABLE, FLAG_CRC32C = 1, 2
# consumer table (at TABLE_OFFSET = PAGE)
T_HIGH_WATER, T_SKIPS, T_OVERRUNS, ENTRIES, ENTRY = 4, 8, 16, 64, 128
E_STATE, E_PID, E_START, E_POSITION, E_HEARTBEAT, E_SKIPS, E_OVERRUNS = 0, 8, 16, 24, 32, 40, 48
E_WAITING, E_WAKE_WORD, E_WAIT_TARGET = 64, 68, 72
FREE, JOINING, ACTIVE, DROPPED = 0, 1, 2, 3
AWAKE, ASLEEP, OWED, FORWARDER = 0, 1, 2, 3     # WAITING: owed = marked by the producer, woken by a forwarder
# slots
S_SEQ, S_LEN, S_CRC, S_TS, SLOT_HEADER = 0, 8, 12, 16, 32
MAX_SLOT_COUNT, MAX_CAPACITY = 1 << 20, 1 << 16
SEGMENT_NAME = re.compile(r"^labhub-[0-9a-f]{32}$")
DIRECTORY = "/dev/shm"
BLOCK_SLICE = 0.1
LIVENESS = 1.0


def _pages(n):
    return (n + PAGE - 1) // PAGE * PAGE


def geometry(slot_size, slot_count, capacity, schema_length=0):
    """(stride, slots_offset, total, table_offset): header page | schema pages | table pages | slots."""
    if not (0 < slot_size and 0 < slot_count <= MAX_SLOT_COUNT and 0 < capacity <= MAX_CAPACITY
            and 0 <= schema_length <= SCHEMA_MAX):
        raise ValueError("slot size %d, count %d, capacity %d, schema length %d do not make a segment"
                         % (slot_size, slot_count, capacity, schema_length))
    stride = (SLOT_HEADER + slot_size + LINE - 1) // LINE * LINE
    if stride > 2 ** 31 - 1:
        raise ValueError("slot size %d too large" % slot_size)
    table_offset = PAGE + _pages(schema_length)
    slots_offset = table_offset + _pages(ENTRIES + capacity * ENTRY)
    return stride, slots_offset, slots_offset + stride * slot_count, table_offset


def invalid(name, why):
    return errors.SegmentInvalid("shared-memory segment %s is unusable: %s" % (name, why))


class _Words:
    """Aligned 4- and 8-byte words of one mapping (memoryview casts: single loads/stores)."""

    def __init__(self, mm):
        mv = memoryview(mm)
        self.q = mv.cast("q")
        self.i = mv.cast("i")

    def long(self, off):
        return self.q[off >> 3]

    def int(self, off):
        return self.i[off >> 2]

    def set_long(self, off, v):
        self.q[off >> 3] = v

    def set_int(self, off, v):
        self.i[off >> 2] = v

    def release(self):
        self.q.release()
        self.i.release()


class Frame:
    """One shm frame: seq, timestamp_ns, skipped (frames lost before it), data (a read-only memoryview of the
    slot's payload), record (decoded by the schema: zero-copy numpy views) and array (with numpy: the payload
    as an ndarray). Zero copy: valid until the consumer's next read; valid() says whether the producer has
    overwritten it meanwhile."""

    __slots__ = ("seq", "timestamp_ns", "skipped", "data", "record", "_consumer", "_slot")

    def __init__(self, consumer, seq, ts, skipped, data, record, slot):
        self.seq, self.timestamp_ns, self.skipped, self.data, self.record = seq, ts, skipped, data, record
        self._consumer, self._slot = consumer, slot

    def valid(self):
        return self._consumer._slot_seq(self._slot) == self.seq

    def array(self, dtype="u1", shape=None):
        a = np.frombuffer(self.data, dtype=dtype)
        return a if shape is None else a.reshape(shape)

    def __getitem__(self, name):
        return self.record[name]

    def __repr__(self):
        return "Frame(seq=%d, %d bytes, skipped=%d)" % (self.seq, len(self.data), self.skipped)


class _Segment:
    """A consumer's mappings of one segment: header and slots read-only, the table read-write."""

    def __init__(self, name, expected, directory=DIRECTORY):
        if not SEGMENT_NAME.match(name or ""):
            raise errors.InvalidArgument("segment name %r is not labhub-<32 hex digits>" % (name,), rule="endpoint.shmName")
        self.name = name
        path = os.path.join(directory, name)
        try:
            fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            raise errors.ChannelNotFound("segment %s does not exist" % name)
        except OSError as e:
            raise invalid(name, "cannot open: %s" % e)
        self.path = path
        self.head = self.table = self.slots = None
        try:
            size = os.fstat(fd).st_size
            if size < PAGE:
                raise invalid(name, "truncated: %d bytes, the header alone needs %d" % (size, PAGE))
            self.head = mmap.mmap(fd, PAGE, mmap.MAP_SHARED, mmap.PROT_READ)
            h = _Words(self.head)
            self.h = h
            magic = h.long(0) & 0xFFFFFFFFFFFFFFFF
            if magic == 0:
                raise invalid(name, "magic not published yet (the producer has not finished creating it)")
            if magic != MAGIC:
                raise invalid(name, "foreign file: magic 0x%x is not LabHub's" % magic)
            version = h.int(O_LAYOUT)
            if version not in SUPPORTED_LAYOUTS:
                raise errors.UnsupportedVersion("shared-memory segment %s has layout version %d, this client reads %s"
                                                % (name, version, " or ".join(map(str, SUPPORTED_LAYOUTS))))
            if expected.get("layout") and expected["layout"] != version:
                raise invalid(name, "the broker announced layout version %d but the segment has %d" % (expected["layout"], version))
            self.version = version
            self.slot_size, self.slot_count, self.capacity = h.int(O_SLOT_SIZE), h.int(O_SLOT_COUNT), h.int(O_CAPACITY)
            schema_length, schema_offset = h.int(O_SCHEMA_LENGTH), h.int(O_SCHEMA_OFFSET)
            if not 0 <= schema_length <= SCHEMA_MAX or schema_offset != (0 if schema_length == 0 else PAGE):
                raise invalid(name, "schema length %d at offset %d: not a schema region (0..%d bytes at %d)"
                              % (schema_length, schema_offset, SCHEMA_MAX, PAGE))
            try:
                self.stride, self.slots_offset, total, self.table_offset = geometry(
                    self.slot_size, self.slot_count, self.capacity, schema_length)
            except ValueError as e:
                raise invalid(name, "impossible sizes in header: %s" % e)
            if h.int(O_SLOT_STRIDE) != self.stride or h.int(O_SLOTS_OFFSET) != self.slots_offset \
                    or h.int(O_TABLE_OFFSET) != self.table_offset:
                raise invalid(name, "stride/offsets in header do not match slot size %d, count %d, capacity %d"
                              % (self.slot_size, self.slot_count, self.capacity))
            for key, have in (("slotSize", self.slot_size), ("slotCount", self.slot_count)):
                if expected.get(key) and expected[key] != have:
                    raise invalid(name, "%s %d, but %d was announced" % (key, have, expected[key]))
            if size < total:
                raise invalid(name, "truncated: %d bytes, the layout needs %d" % (size, total))
            self.schema_hash = bytes(self.head[O_SCHEMA_HASH:O_SCHEMA_HASH + 32]).hex() if schema_length else None
            want = expected.get("schemaHash")
            if want is not None and want != self.schema_hash:
                raise errors.SchemaMismatch("[schema.mismatch] shared-memory segment %s holds schema %s, but the broker's"
                                            " schema for the channel has hash %s" % (name, self.schema_hash or "no schema", want))
            self.schema_json = None
            if schema_length:
                region = mmap.mmap(fd, _pages(schema_length), mmap.MAP_SHARED, mmap.PROT_READ, offset=PAGE)
                try:
                    self.schema_json = bytes(region[:schema_length]).decode("utf-8", "replace")
                finally:
                    region.close()
            self.flags = h.int(O_FLAGS)
            self.pid, self.start_ms = h.long(O_PID), h.long(O_START_MS)
            self.table = mmap.mmap(fd, self.slots_offset - self.table_offset, mmap.MAP_SHARED,
                                   mmap.PROT_READ | mmap.PROT_WRITE, offset=self.table_offset)
            self.t = _Words(self.table)
            self.table_addr = nat.address(self.table)
            self.slots = mmap.mmap(fd, self.stride * self.slot_count, mmap.MAP_SHARED, mmap.PROT_READ, offset=self.slots_offset)
            self.s = _Words(self.slots)
            self.slots_mv = memoryview(self.slots)
        except BaseException:
            os.close(fd)
            self.fd = None
            self.unmap()
            raise
        # kept open: fstat before each read tells a truncated file (a mapped page beyond the end is SIGBUS,
        # which Python cannot catch)
        self.fd = fd
        self.total = total

    def producer_gone(self):
        return self.h.int(O_PRODUCER_STATE) != 0 or not nat.process_alive(self.pid, self.start_ms)

    def slot(self, seq):
        return ((seq - 1) % self.slot_count) * self.stride

    def entry(self, i):
        return ENTRIES + i * ENTRY

    def truncated(self):
        return os.fstat(self.fd).st_size < self.total

    def unmap(self):
        fd = getattr(self, "fd", None)
        if fd is not None:
            os.close(fd)
            self.fd = None
        for attr in ("slots_mv",):
            v = getattr(self, attr, None)
            if v is not None:
                v.release()
        for w in ("h", "t", "s"):
            v = getattr(self, w, None)
            if v is not None:
                v.release()
        for m in (self.slots, self.table, self.head):
            if m is not None:
                try:
                    m.close()
                except BufferError:
                    pass   # a view handed out is still alive: the mapping goes with it


class ShmConsumer:
    """shm(name): attaches through the broker, takes a consumer-table entry (a reliable producer waits for it),
    reads with the documented seqlock protocol and follows a restarted producer.

        with client.shm("camera1.frames") as cam:
            for frame in cam:                      # or cam.next(timeout)
                pixels = frame.record["pixels"]    # numpy view, valid until the next frame
    """

    def __init__(self, client, name, spin=20e-6):
        nat.require()
        self.client, self.name, self.spin = client, name, spin
        self.received = self.gaps = self.overruns = self.errors = self.dropped = self.reconnects = self.timeouts = 0
        self.seg = None
        self.entry = None
        self._pending = None      # the frame handed out, released at the next read
        self._failed = None       # the segment name once it was found truncated
        self._lock = threading.RLock()
        self._closed = threading.Event()
        self._last_discover = 0.0
        self._pid, self._start_ms = os.getpid(), nat.process_start_ms(os.getpid())
        ch = client.broker.discover(name)
        if ch["kind"] != "shm":
            raise errors.InvalidArgument("%s is a %s channel, not shm" % (name, ch["kind"]), rule="channel.kind")
        self._open(ch, from_oldest=False)
        try:
            client.broker.attach(name)
        except BaseException:
            self._leave()
            raise
        self._beat = threading.Thread(target=self._heartbeat, name="labhub-shm-" + name, daemon=True)
        self._beat.start()

    # ---- joining and leaving ----

    def _open(self, ch, from_oldest):
        meta = ch.get("metadata") or {}

        def num(k):
            try:
                return int(meta.get(k, 0))
            except (TypeError, ValueError):
                raise invalid(ch.get("endpoint"), "metadata %s=%r is not a number" % (k, meta.get(k)))
        schema = Schema.of(ch.get("schema")) if ch.get("schema") else None
        # the hash this client computes from the broker's schema is what the segment must carry
        seg = _Segment(ch["endpoint"], {"slotSize": num("shm.slotSize"), "slotCount": num("shm.slotCount"),
                                        "layout": num("shm.layoutVersion"),
                                        "schemaHash": schema.hash() if schema is not None else None})
        try:
            self.schema = schema
            if self.schema is not None:
                if self.schema.size > seg.slot_size:
                    raise errors.SchemaMismatch("schema of %s needs %d bytes, the slots hold %d"
                                                % (self.name, self.schema.size, seg.slot_size))
            self._join(seg, from_oldest)
        except BaseException:
            seg.unmap()
            raise
        self.seg = seg
        self.channel = ch
        self._producer_hb = seg.h.long(O_PRODUCER_HB)
        self._producer_hb_at = time.monotonic()

    def _join(self, seg, from_oldest):
        t = seg.t
        chosen = None
        for attempt in range(2):
            for i in range(seg.capacity):
                e = seg.entry(i)
                state = t.int(e + E_STATE)
                if state == FREE or (attempt == 1 and not nat.process_alive(t.long(e + E_PID), t.long(e + E_START))):
                    if nat.cas32(seg.table_addr + e + E_STATE, state, JOINING):
                        chosen = i
                        break
            if chosen is not None:
                break
        if chosen is None:
            raise errors.QuotaExceeded("the consumer table of %s is full (%d entries)" % (seg.name, seg.capacity))
        e = seg.entry(chosen)
        ws = seg.h.long(O_WRITE_SEQ)
        t.set_long(e + E_PID, self._pid)
        t.set_long(e + E_START, self._start_ms)
        t.set_long(e + E_HEARTBEAT, 0)
        t.set_long(e + E_SKIPS, 0)
        t.set_long(e + E_OVERRUNS, 0)
        t.set_int(e + E_WAITING, 0)
        t.set_long(e + E_WAIT_TARGET, 0)
        start = max(0, ws - seg.slot_count) if from_oldest else ws
        t.set_long(e + E_POSITION, start)
        nat.xchg32(seg.table_addr + e + E_STATE, ACTIVE)    # volatile store: orders the re-read below
        while True:
            hw = t.int(T_HIGH_WATER)
            if hw >= chosen + 1 or nat.cas32(seg.table_addr + T_HIGH_WATER, hw, chosen + 1):
                break
        ws2 = seg.h.long(O_WRITE_SEQ)
        if ws2 < 0 or ws2 < ws:
            t.set_int(e + E_STATE, FREE)
            raise invalid(seg.name, "impossible WRITE_SEQUENCE %d" % ws2)
        if not from_oldest and ws2 != ws:
            start = ws2
            t.set_long(e + E_POSITION, start)
        self.entry = chosen
        self._entry_off = e
        self.want = start + 1

    def _fail(self, seg):
        """A truncated segment: unmapped without another access (a page beyond the end is SIGBUS); detached."""
        self.errors += 1
        self._pending = None
        self._failed = seg.name
        self.seg = None
        seg.unmap()
        try:
            self.client.broker.detach(self.name)
        except errors.LabHubError:
            pass

    def _leave(self):
        """Frees the entry, then removes the file if the producer is closed or dead and nobody else is in."""
        seg = self.seg
        if seg is None:
            return
        self.seg = None
        if seg.truncated():
            seg.unmap()
            return
        try:
            nat.xchg32(seg.table_addr + self._entry_off + E_STATE, FREE)
            if seg.producer_gone() and not self._anyone_else(seg):
                try:
                    os.unlink(seg.path)
                except FileNotFoundError:
                    pass
        finally:
            seg.unmap()

    def _anyone_else(self, seg):
        for i in range(seg.capacity):
            e = seg.entry(i)
            if seg.t.int(e + E_STATE) != FREE and nat.process_alive(seg.t.long(e + E_PID), seg.t.long(e + E_START)):
                return True
        return False

    def _heartbeat(self):
        while not self._closed.wait(0.1):
            with self._lock:
                seg = self.seg
                if seg is not None and not seg.truncated():
                    e = self._entry_off
                    seg.t.set_long(e + E_HEARTBEAT, seg.t.long(e + E_HEARTBEAT) + 1)

    # ---- reading ----

    def _slot_seq(self, slot):
        seg = self.seg
        return seg.s.long(slot + S_SEQ) if seg is not None else 0

    def _release(self):
        """The second half of the read of the frame handed out: was it overwritten meanwhile? Then POSITION."""
        f = self._pending
        if f is None:
            return
        self._pending = None
        seg = self.seg
        if seg is None:
            return
        if seg.s.long(f._slot + S_SEQ) != f.seq:
            self.overruns += 1
            self.gaps += 1
            seg.t.set_long(self._entry_off + E_OVERRUNS, seg.t.long(self._entry_off + E_OVERRUNS) + 1)
        seg.t.set_long(self._entry_off + E_POSITION, f.seq)

    def _try(self):
        """One step of the read protocol: a Frame, or None when nothing is committed yet."""
        seg = self.seg
        t = seg.t
        e = self._entry_off
        if t.int(e + E_STATE) == DROPPED:          # a reliable producer dropped us: rejoin at the newest frame
            ws = seg.h.long(O_WRITE_SEQ)
            t.set_long(e + E_POSITION, ws)
            nat.xchg32(seg.table_addr + e + E_STATE, ACTIVE)
            ws2 = seg.h.long(O_WRITE_SEQ)
            t.set_long(e + E_POSITION, ws2)
            self.dropped += 1
            lost = max(0, ws2 + 1 - self.want)
            self.gaps += lost
            self.want = ws2 + 1
            self._skipped = getattr(self, "_skipped", 0) + lost
        want = self.want
        while True:
            w = seg.h.long(O_WRITE_SEQ)
            if w < want:
                return None
            sw = seg.s.long(seg.slot(w) + S_SEQ)
            if not (sw > 0 and (sw - w) % seg.slot_count == 0 and sw >= w) and not (sw < 0 and (-sw - w) % seg.slot_count == 0 and -sw >= w):
                self.errors += 1
                raise invalid(seg.name, "impossible WRITE_SEQUENCE %d (slot holds %d)" % (w, sw))
            skipped = 0
            if w - want >= seg.slot_count:
                skipped = w - seg.slot_count + 1 - want
                want = w - seg.slot_count + 1
            off = seg.slot(want)
            s1 = seg.s.long(off + S_SEQ)
            if s1 == want:
                n = seg.s.int(off + S_LEN)
                ts = seg.s.long(off + S_TS)
                if seg.s.long(off + S_SEQ) != want:
                    self.overruns += 1
                    skipped += 1
                    want += 1
                    self.want = want
                    continue
                self.want = want + 1
                if not 0 <= n <= seg.slot_size:
                    self.errors += 1
                    t.set_long(e + E_POSITION, want)
                    raise invalid(seg.name, "frame %d has length %d, the slots hold %d" % (want, n, seg.slot_size))
                data = seg.slots_mv[off + SLOT_HEADER:off + SLOT_HEADER + n]
                record = None
                if self.schema is not None:
                    try:
                        record = self.schema.decode(data)
                    except errors.InvalidArgument:
                        self.errors += 1
                        t.set_long(e + E_POSITION, want)
                        continue   # a frame that does not fit the schema is counted and skipped
                skipped += getattr(self, "_skipped", 0)
                self._skipped = 0
                self.gaps += skipped
                self.received += 1
                f = Frame(self, want, ts, skipped, data, record, off)
                self._pending = f
                return f
            if s1 == -want or 0 <= s1 < want:
                self.errors += 1      # impossible once w is checked: skipped, never waited for
                want += 1
                self.want = want
                continue
            self.overruns += 1        # overwritten: lost
            want += 1
            self.want = want
            self.gaps += 1

    def next(self, timeout=None):
        """The next frame (zero copy, valid until the next call); Timeout when none within timeout seconds.
        Spins for `spin`, then sleeps on its entry's futex word (layout 3), checking the producer each slice."""
        with self._lock:
            if self._closed.is_set():
                raise errors.ChannelClosed("shm consumer of %s is closed" % self.name)
            if self._failed:
                raise invalid(self._failed, "the segment was truncated under its mappings; the consumer is closed")
            seg = self.seg
            if seg is not None and seg.truncated():
                self._fail(seg)
                raise invalid(seg.name, "the file is shorter than its layout (truncated under its mappings)")
            self._release()
            deadline = None if timeout is None else time.monotonic() + timeout
            spin_end = time.monotonic() + self.spin
            while True:
                self._check()
                f = self._try()
                if f is not None:
                    return f
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    self.timeouts += 1
                    raise errors.Timeout("no frame on %s within %.3f s" % (self.name, timeout))
                if now < spin_end:
                    continue
                self._sleep(BLOCK_SLICE if deadline is None else min(BLOCK_SLICE, deadline - now))

    def _sleep(self, seconds):
        seg = self.seg
        if seg is None:
            time.sleep(min(seconds, 0.25))
            return
        e = self._entry_off
        word_addr = seg.table_addr + e + E_WAKE_WORD
        word = seg.t.int(e + E_WAKE_WORD)
        seg.t.set_long(e + E_WAIT_TARGET, self.want)
        nat.xchg32(seg.table_addr + e + E_WAITING, ASLEEP)  # the flag, with the full fence of the Dekker pattern
        try:
            if seg.h.long(O_WRITE_SEQ) >= self.want or seg.t.int(e + E_STATE) == DROPPED:
                return
            nat.futex_wait(word_addr, word, max(0.0, seconds))
        finally:
            if nat.xchg32(seg.table_addr + e + E_WAITING, AWAKE) == FORWARDER:
                self._forward(seg)

    def _forward(self, seg):
        """Woken as a forwarder (WAITING was 3): wake up to two owed entries as forwarders in turn (a tree)."""
        woken = 0
        for i in range(min(seg.t.int(T_HIGH_WATER), seg.capacity)):
            e = seg.entry(i)
            if seg.t.int(e + E_WAITING) == OWED and nat.cas32(seg.table_addr + e + E_WAITING, OWED, FORWARDER):
                nat.add32(seg.table_addr + e + E_WAKE_WORD, 1)
                nat.futex_wake(seg.table_addr + e + E_WAKE_WORD)
                woken += 1
                if woken == 2:
                    return

    def _check(self):
        """A truncated segment is an error; a gone producer is followed to its new segment (asked of the broker
        at most every 250 ms)."""
        seg = self.seg
        if seg is None:
            self._rediscover()
            if self.seg is None:
                return
            seg = self.seg
        hb = seg.h.long(O_PRODUCER_HB)
        now = time.monotonic()
        if hb != self._producer_hb:
            self._producer_hb, self._producer_hb_at = hb, now
            return
        if now - self._producer_hb_at < 0.25 and seg.h.int(O_PRODUCER_STATE) == 0:
            return
        if seg.truncated():
            self._fail(seg)
            raise invalid(seg.name, "the file is shorter than its layout (truncated under its mappings)")
        if seg.producer_gone() or now - self._producer_hb_at > LIVENESS:
            self._rediscover()

    def _rediscover(self):
        now = time.monotonic()
        if now - self._last_discover < 0.25:
            return
        self._last_discover = now
        try:
            ch = self.client.broker.discover(self.name)
        except errors.LabHubError:
            return
        if self.seg is not None and ch.get("endpoint") == self.seg.name:
            return
        self._pending = None
        self._leave()
        try:
            self._open(ch, from_oldest=True)
        except errors.LabHubError:
            return
        self.reconnects += 1
        try:
            self.client.broker.attach(self.name)
        except errors.LabHubError:
            pass

    def __iter__(self):
        while not self._closed.is_set():
            yield self.next()

    def producer_alive(self):
        seg = self.seg
        return seg is not None and not seg.producer_gone()

    def close(self):
        if self._closed.is_set():
            return
        self._closed.set()
        with self._lock:
            self._pending = None
            self._leave()
        self._beat.join(2)
        self.client.broker.detach(self.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ShmProducer:
    """An shm channel produced from Python (policy latest or reliable), readable by Java and Python consumers.

        with client.shm_producer("py.frames", slot_size=1 << 20, slots=8) as p:
            p.publish(payload)                # copy
            with p.claim() as buf:            # zero copy: a writable memoryview of the slot
                buf[:4] = b"abcd"; buf.length = 4
    """

    def __init__(self, client, name, slot_size=None, slots=8, schema=None, policy="latest", metadata=None,
                 capacity=64, reliable_timeout=1.0, heartbeat_period=0.1, directory=DIRECTORY):
        nat.require()
        self.client, self.name = client, name
        self.schema = Schema.of(schema)
        if slot_size is None:
            if self.schema is None:
                raise errors.InvalidArgument("slot_size or a schema is needed", rule="shm.slotSize")
            slot_size = self.schema.size
        if policy not in ("latest", "reliable"):
            raise errors.InvalidArgument("policy must be latest or reliable", rule="shm.policy")
        self.reliable = policy == "reliable"
        self.slot_size, self.slot_count, self.capacity = slot_size, slots, max(64, capacity)
        if self.schema is not None and self.schema.size > slot_size:
            raise errors.InvalidArgument("the schema needs %d bytes, the slots hold %d" % (self.schema.size, slot_size),
                                         rule="schema.size")
        schema_json = self.schema.to_json().encode("utf-8") if self.schema is not None else b""
        if len(schema_json) > SCHEMA_MAX:
            raise errors.InvalidArgument("a schema is at most 16 KiB of JSON", rule="schema.tooLarge")
        self.stride, self.slots_offset, total, self.table_offset = geometry(slot_size, slots, self.capacity, len(schema_json))
        self.segment = "labhub-" + os.urandom(16).hex()
        self.path = os.path.join(directory, self.segment)
        self.reliable_timeout = reliable_timeout
        self.dropped = self.timeouts = 0
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            os.ftruncate(fd, total)
            self.mm = mmap.mmap(fd, total, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        except BaseException:
            os.close(fd)
            os.unlink(self.path)
            raise
        self.fd, self.total = fd, total   # kept: fstat tells a truncated file before an access would be SIGBUS
        self.failed = False
        self.w = _Words(self.mm)
        self.addr = nat.address(self.mm)
        self.mv = memoryview(self.mm)
        w = self.w
        w.set_int(O_LAYOUT, LAYOUT_VERSION)
        w.set_int(O_SLOTS_OFFSET, self.slots_offset)
        w.set_int(O_SLOT_COUNT, slots)
        w.set_int(O_SLOT_SIZE, slot_size)
        w.set_int(O_SLOT_STRIDE, self.stride)
        w.set_int(O_FLAGS, FLAG_RELIABLE if self.reliable else 0)
        w.set_int(O_CAPACITY, self.capacity)
        w.set_int(O_TABLE_OFFSET, self.table_offset)
        if schema_json:
            self.mm[PAGE:PAGE + len(schema_json)] = schema_json
            self.mm[O_SCHEMA_HASH:O_SCHEMA_HASH + 32] = bytes.fromhex(self.schema.hash())
            w.set_int(O_SCHEMA_LENGTH, len(schema_json))
            w.set_int(O_SCHEMA_OFFSET, PAGE)
        w.set_long(O_PID, os.getpid())
        w.set_long(O_START_MS, nat.process_start_ms(os.getpid()))
        w.set_long(O_HB_PERIOD, int(heartbeat_period * 1e9))
        w.set_long(O_RELIABLE_TIMEOUT, int(reliable_timeout * 1e9))
        w.set_long(O_CREATED, int(time.time() * 1000))
        nb = name.encode("ascii")[:NAME_MAX]
        self.mm[O_NAME:O_NAME + len(nb)] = nb
        w.set_int(O_NAME_LEN, len(nb))
        nat.xchg64(self.addr, MAGIC)                  # published last
        self.seq = 0
        self._scan_limit = 0
        self._lock = threading.Lock()
        self._closed = threading.Event()
        meta = dict(metadata or {})
        meta.update({"shm.slotSize": str(slot_size), "shm.slotCount": str(slots), "shm.layoutVersion": str(LAYOUT_VERSION),
                     "shm.policy": policy, "shm.crc32c": "false", "shm.spinNanos": "20000", "shm.yieldNanos": "200000"})
        try:
            self.channel = client.broker.register(name, "shm", self.segment, None, meta,
                                                  self.schema.json if self.schema else None)
        except BaseException:
            self._destroy()
            raise
        self._hb = threading.Thread(target=self._heartbeat, args=(heartbeat_period,), name="labhub-shmp-" + name, daemon=True)
        self._hb.start()

    def _heartbeat(self, period):
        while not self._closed.wait(period):
            w = self.w
            if w is None:
                return
            if self.truncated():
                self.failed = True
                return
            w.set_long(O_PRODUCER_HB, w.long(O_PRODUCER_HB) + 1)
            hw = w.int(self.table_offset + T_HIGH_WATER)
            self._scan_limit = max(self._scan_limit, min(hw, self.capacity))
            # entries still owed a wake a period later (their forwarder died): woken here
            if self._lock.acquire(blocking=False):   # never waits for a claim (or for close)
                try:
                    if self.w is not None and any(w.int(self._entry(i) + E_WAITING) == OWED
                                                  for i in range(self._limit())):
                        self._wake_one_owed()
                finally:
                    self._lock.release()

    def _entry(self, i):
        return self.table_offset + ENTRIES + i * ENTRY

    def truncated(self):
        return os.fstat(self.fd).st_size < self.total

    def _limit(self):
        hw = self.w.int(self.table_offset + T_HIGH_WATER)
        if 0 < hw <= self.capacity and hw > self._scan_limit:
            self._scan_limit = hw
        return self._scan_limit

    def _wait_reliable(self, s):
        """Every active entry's POSITION >= s - SLOT_COUNT, or it is dropped (gone, or after the timeout)."""
        need = s - self.slot_count
        deadline = None
        w = self.w
        while True:
            behind = []
            for i in range(self._limit()):
                e = self._entry(i)
                if w.int(e + E_STATE) == ACTIVE and w.long(e + E_POSITION) < need:
                    behind.append(i)
            if not behind:
                return
            now = time.monotonic()
            if deadline is None:
                deadline = now + self.reliable_timeout
            for i in behind:
                e = self._entry(i)
                if now >= deadline or not nat.process_alive(w.long(e + E_PID), w.long(e + E_START)):
                    if nat.cas32(self.addr + e + E_STATE, ACTIVE, DROPPED):
                        self.dropped += 1
                        w.set_long(O_UNBLOCKS, w.long(O_UNBLOCKS) + 1)
                        if now >= deadline:
                            self.timeouts += 1
                            w.set_long(O_RELIABLE_TIMEOUTS, w.long(O_RELIABLE_TIMEOUTS) + 1)
            time.sleep(50e-6)

    def claim(self):
        """A Claim: a writable memoryview of the next slot's payload (with numpy: .record / .array views);
        committed when the with-block ends (length = claim.length, default the whole slot or the schema size)."""
        return Claim(self)

    def _begin(self):
        self._lock.acquire()
        if self.w is None:
            self._lock.release()
            raise errors.ChannelClosed("shm producer %s is closed" % self.name)
        if self.failed:
            self._lock.release()
            raise invalid(self.segment, "the file was truncated under its mapping")
        s = self.seq + 1
        if self.reliable and s > self.slot_count:
            self._wait_reliable(s)
        off = self.slots_offset + ((s - 1) % self.slot_count) * self.stride
        self.w.set_long(off + S_SEQ, -s)             # being written
        return s, off

    def _commit(self, s, off, n):
        w = self.w
        w.set_int(off + S_LEN, n)
        w.set_long(off + S_TS, time.time_ns())
        w.set_long(off + S_SEQ, s)                   # committed: everything above is visible first (x86 TSO)
        nat.xchg64(self.addr + O_WRITE_SEQ, s)       # volatile store, then the loads of the WAITING flags
        self.seq = s
        w.set_long(O_FRAMES, w.long(O_FRAMES) + 1)
        w.set_long(O_BYTES, w.long(O_BYTES) + n)
        owed = False
        for i in range(self._limit()):                 # mark every sleeper this commit reaches as owed
            e = self._entry(i)
            waiting = w.int(e + E_WAITING)
            if waiting == OWED:
                owed = True
            elif waiting not in (AWAKE, FORWARDER) and w.long(e + E_WAIT_TARGET) <= s \
                    and nat.cas32(self.addr + e + E_WAITING, waiting, OWED):
                owed = True
        if owed:                                       # then wake the first one still owed, as the forwarder
            self._wake_one_owed()

    def _wake_one_owed(self):
        w = self.w
        for i in range(self._limit()):
            e = self._entry(i)
            if w.int(e + E_WAITING) == OWED and nat.cas32(self.addr + e + E_WAITING, OWED, FORWARDER):
                nat.add32(self.addr + e + E_WAKE_WORD, 1)
                nat.futex_wake(self.addr + e + E_WAKE_WORD)
                return

    def publish(self, payload=b"", **fields):
        """Copies one message (bytes-like, or with a schema a dict / keyword fields) into the next slot."""
        if fields:
            payload = dict(fields)
        if isinstance(payload, dict):
            if self.schema is None:
                raise errors.InvalidArgument("a dict payload needs a schema", rule="schema.fields")
            payload = self.schema.encode(payload)
        elif isinstance(payload, str):
            payload = payload.encode("utf-8")
        n = len(payload) if not hasattr(payload, "nbytes") else payload.nbytes
        if self.schema is not None:
            self.schema.check_length(n)
        if n > self.slot_size:
            raise errors.MessageTooLarge("%d bytes is over the slot size %d" % (n, self.slot_size))
        s, off = self._begin()
        try:
            p = off + SLOT_HEADER
            self.mv[p:p + n] = memoryview(payload).cast("B") if not isinstance(payload, (bytes, bytearray)) else payload
            self._commit(s, off, n)
        finally:
            self._lock.release()
        return s

    def consumers(self):
        """Entries in use (active, joining or dropped) with a live process."""
        n = 0
        for i in range(self.capacity):
            e = self._entry(i)
            if self.w.int(e + E_STATE) != FREE and nat.process_alive(self.w.long(e + E_PID), self.w.long(e + E_START)):
                n += 1
        return n

    def close(self):
        """PRODUCER_STATE closed, every sleeper woken, the file removed if no live consumer is in, unregistered."""
        if self._closed.is_set():
            return
        self._closed.set()
        with self._lock:
            w = self.w
            if self.failed or self.truncated():
                self._hb.join(2)
                self._destroy(unlink=True)
                self.client.broker.unregister(self.name)
                return
            nat.xchg32(self.addr + O_PRODUCER_STATE, 1)
            for i in range(self.capacity):
                e = self._entry(i)
                waiting = w.int(e + E_WAITING)
                if waiting in (ASLEEP, OWED) and nat.cas32(self.addr + e + E_WAITING, waiting, FORWARDER):
                    nat.add32(self.addr + e + E_WAKE_WORD, 1)
                    nat.futex_wake(self.addr + e + E_WAKE_WORD)
            anyone = self.consumers() > 0
            self._hb.join(2)
            self._destroy(unlink=not anyone)
        try:
            self.client.broker.unregister(self.name)
        except errors.LabHubError:
            pass

    def _destroy(self, unlink=True):
        if unlink:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
        w, self.w = self.w, None
        if w is not None:
            w.release()
        os.close(self.fd)
        self.mv.release()
        try:
            self.mm.close()
        except BufferError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Claim:
    """The slot being written (zero copy). `buf` is a writable memoryview of the payload; `record` (with a schema
    and numpy) a writable structured view; set `length` if less than the whole slot / the schema size is used."""

    def __init__(self, producer):
        self.p = producer
        self.length = producer.schema.size if producer.schema is not None else producer.slot_size

    def __enter__(self):
        self.s, self.off = self.p._begin()
        p = self.off + SLOT_HEADER
        self.buf = self.p.mv[p:p + self.p.slot_size]
        return self

    @property
    def record(self):
        return np.frombuffer(self.buf, dtype=self.p.schema.dtype(), count=1).reshape(())

    def __exit__(self, exc_type, exc, tb):
        try:
            self.buf.release()
            if exc_type is None:
                if not 0 <= self.length <= self.p.slot_size:
                    raise errors.InvalidArgument("length %d outside 0..%d" % (self.length, self.p.slot_size), rule="shm.length")
                self.p._commit(self.s, self.off, self.length)
            # aborted: nothing published, the sequence is used by the next claim (slot keeps -s until then)
        finally:
            self.p._lock.release()
