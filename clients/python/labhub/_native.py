"""The few machine operations Python has no word for, through ctypes: futex wait/wake (Linux syscall) and
compare-and-swap / atomic add (libatomic). Plain loads and stores of aligned words through a memoryview
cast are single moves on x86-64, whose total store order gives them acquire/release semantics; the full
fences the protocol needs (a store followed by a load, the Dekker pattern) come from an atomic exchange."""
import ctypes
import ctypes.util
import os
import platform

from .errors import TransportUnavailable

SYS_FUTEX = {"x86_64": 202, "AMD64": 202}.get(platform.machine())
FUTEX_WAIT, FUTEX_WAKE = 0, 1
SEQ_CST = 5

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
try:
    _atomic = ctypes.CDLL(ctypes.util.find_library("atomic") or "libatomic.so.1")
except OSError:
    _atomic = None


def require():
    """TransportUnavailable unless shared memory can be used correctly here (Linux x86-64 with libatomic)."""
    if SYS_FUTEX is None or not os.path.isdir("/dev/shm"):
        raise TransportUnavailable("the Python shm client runs on Linux x86-64 only (this is %s %s): its plain "
                                   "loads and stores rely on x86-64 ordering" % (platform.system(), platform.machine()))
    if _atomic is None:
        raise TransportUnavailable("libatomic.so.1 is missing (Debian: libatomic1): needed for compare-and-swap")


if _atomic is not None:
    _atomic.__atomic_compare_exchange_4.restype = ctypes.c_bool
    _atomic.__atomic_compare_exchange_4.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_int]
    _atomic.__atomic_fetch_add_4.restype = ctypes.c_uint32
    _atomic.__atomic_fetch_add_4.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
    _atomic.__atomic_exchange_4.restype = ctypes.c_uint32
    _atomic.__atomic_exchange_4.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
    _atomic.__atomic_exchange_8.restype = ctypes.c_uint64
    _atomic.__atomic_exchange_8.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int]


def address(mm):
    """The address of a writable mmap's first byte."""
    return ctypes.addressof(ctypes.c_char.from_buffer(mm))


def cas32(addr, expected, desired):
    e = ctypes.c_uint32(expected & 0xFFFFFFFF)
    return _atomic.__atomic_compare_exchange_4(addr, ctypes.byref(e), desired & 0xFFFFFFFF, SEQ_CST, SEQ_CST)


def add32(addr, delta):
    return _atomic.__atomic_fetch_add_4(addr, delta & 0xFFFFFFFF, SEQ_CST)


def xchg32(addr, value):
    """A store with a full fence (lock xchg)."""
    return _atomic.__atomic_exchange_4(addr, value & 0xFFFFFFFF, SEQ_CST)


def xchg64(addr, value):
    return _atomic.__atomic_exchange_8(addr, value & 0xFFFFFFFFFFFFFFFF, SEQ_CST)


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def futex_wait(addr, expected, timeout_s):
    """Sleeps while the int at addr equals expected, at most timeout_s (shared futex: the waker is another process).
    The GIL is released (ctypes), so other Python threads run meanwhile."""
    ts = _Timespec(int(timeout_s), int((timeout_s % 1) * 1e9))
    _libc.syscall(ctypes.c_long(SYS_FUTEX), ctypes.c_void_p(addr), ctypes.c_long(FUTEX_WAIT),
                  ctypes.c_long(expected & 0xFFFFFFFF if expected >= 0 else expected), ctypes.byref(ts),
                  ctypes.c_long(0), ctypes.c_long(0))


def futex_wake(addr, n=2 ** 31 - 1):
    _libc.syscall(ctypes.c_long(SYS_FUTEX), ctypes.c_void_p(addr), ctypes.c_long(FUTEX_WAKE), ctypes.c_long(n),
                  ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0))


_CLK_TCK = os.sysconf("SC_CLK_TCK")
_BTIME = None


def process_start_ms(pid):
    """A process's start time in epoch ms as Linux reports it (the Java side's ProcessHandle start instant), or 0."""
    global _BTIME
    try:
        if _BTIME is None:
            with open("/proc/stat") as f:
                _BTIME = next(int(l.split()[1]) for l in f if l.startswith("btime"))
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        start_ticks = int(stat[stat.rindex(")") + 2:].split()[19])
        return _BTIME * 1000 + start_ticks * 1000 // _CLK_TCK
    except (OSError, ValueError, StopIteration, IndexError):
        return 0


def process_alive(pid, start_ms):
    """The rule of the Java Liveness.processAlive: the pid runs and (if known) started at start_ms (+-1 s)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if start_ms <= 0:
        return True
    actual = process_start_ms(pid)
    return actual == 0 or abs(actual - start_ms) <= 1000
