package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.text.SafeText;

/**
 * Every offset of a shared-memory segment, and the checks a consumer runs before trusting one. This
 * class and docs/shm-layout.md are the single source of the layout; nothing else hard-codes an offset.
 * All integers are little-endian in practice (native order; both ends run on the same host).
 *
 * <pre>
 * Segment = header page | schema (whole pages, none without a schema) | consumer table (whole pages) | slots
 *
 * Header page, offset 0, 4096 bytes (written by the producer only; consumers map it read-only)
 *   0 MAGIC               long  "LABHUBSH", published LAST with a release store
 *   8 LAYOUT_VERSION      int   {@link #LAYOUT_VERSION}
 *  12 SLOTS_OFFSET        int   where slot 0 starts (page aligned)
 *  16 SLOT_COUNT          int
 *  20 SLOT_SIZE           int   payload bytes one slot holds
 *  24 SLOT_STRIDE         int   SLOT_HEADER_LENGTH + SLOT_SIZE rounded up to 64
 *  28 FLAGS               int   bit 0 reliable, bit 1 CRC32C
 *  32 CONSUMER_CAPACITY   int   entries in the consumer table
 *  36 TABLE_OFFSET        int   4096 + the schema's whole pages (4096 without a schema)
 *  40 PRODUCER_PID        long
 *  48 PRODUCER_START_MS   long  the producer process's start time (epoch ms), guards against pid reuse
 *  56 HEARTBEAT_PERIOD_NS long  how often PRODUCER_HEARTBEAT moves
 *  64 RELIABLE_TIMEOUT_NS long
 *  72 CREATED_MS          long  epoch ms
 * 128 PRODUCER_HEARTBEAT  long  a counter the producer bumps every period (own cache line)
 * 136 PRODUCER_STATE      int   0 open, 1 closed
 * 192 WRITE_SEQUENCE      long  last committed sequence, 0 = none (own cache line)
 * 256 reserved            int   (layout 2: NOTIFY_WORD, one futex word for all) never read since layout 3
 * 320 FRAMES              long  frames committed          } producer counters
 * 328 BYTES               long  payload bytes committed   }
 * 336 UNBLOCKS            long  consumers dropped (reliable) }
 * 344 RELIABLE_TIMEOUTS   long  waits that hit the timeout }
 * 512 CHANNEL_NAME_LENGTH int   bytes of CHANNEL_NAME, 0 = not written (segments made before it existed)
 * 516 CHANNEL_NAME        255 bytes, ASCII: the channel this segment carries (lets an observer find it
 *                         without the broker and without joining; written once, before the magic)
 * 1024 SCHEMA_HASH        32 bytes: the SHA-256 of the schema's layout string (docs/schemas.md), raw; 0s without
 * 1056 SCHEMA_LENGTH      int   bytes of the schema's JSON (UTF-8), 0 = no schema; at most {@link #SCHEMA_MAX}
 * 1060 SCHEMA_OFFSET      int   where the JSON starts: 4096 (0 without a schema)
 *
 * Schema, offset 4096: SCHEMA_LENGTH bytes of JSON, the region rounded up to whole pages (read-only for consumers)
 *
 * Consumer table, offset TABLE_OFFSET (consumers map it read-write; the producer reads it)
 *   0 reserved            int   (layout 1: WAITERS) never read: a shared count any writer could poison
 *   4 HIGH_WATER          int   entries ever used (a hint: the producer never lowers its own scan limit)
 *   8 SKIPS               long  frames consumers skipped (all consumers)
 *  16 OVERRUNS            long  reads found overwritten (all consumers)
 *  64 + i * 128: entry i (two cache lines each)
 *      0 STATE int (0 free, 1 joining, 2 active, 3 dropped)  4 reserved int
 *      8 PID long   16 START_MS long   24 POSITION long (last released sequence)
 *     32 HEARTBEAT long (counter)   40 SKIPS long   48 OVERRUNS long   56 reserved
 *     64 WAITING int (0 awake, 1 asleep (armed by the consumer), 2 owed a wake by a forwarder, 3 woken as a
 *        forwarder (wakes owed entries); second line, written only around a sleep)   68 WAKE_WORD int (this entry's futex word, bumped by the producer
 *        before it wakes the entry)   72 WAIT_TARGET long (the first sequence whose commit ends the sleep)
 *
 * Slot i at SLOTS_OFFSET + i * SLOT_STRIDE (producer writes; consumers map read-only)
 *   0 SEQUENCE  long  0 never written, -s while frame s is being written, s once committed (release store, LAST)
 *   8 LENGTH    int   payload length of frame s
 *  12 CRC32C    int   of the payload, when FLAGS bit 1
 *  16 TIMESTAMP long  epoch ns on the producer's clock
 *  24 reserved
 *  32 payload   SLOT_SIZE bytes
 * Frame s lives in slot (s - 1) mod SLOT_COUNT. Sequences start at 1.
 * </pre>
 */
public final class ShmLayout {

    /** "LABHUBSH" read as a little-endian long. */
    public static final long MAGIC = 0x485342554842414CL;
    public static final int LAYOUT_VERSION = 3;
    public static final int PAGE = 4096;
    public static final int CACHE_LINE = 64;

    // header
    public static final long MAGIC_OFFSET = 0;
    public static final long LAYOUT_VERSION_OFFSET = 8;
    public static final long SLOTS_OFFSET_OFFSET = 12;
    public static final long SLOT_COUNT_OFFSET = 16;
    public static final long SLOT_SIZE_OFFSET = 20;
    public static final long SLOT_STRIDE_OFFSET = 24;
    public static final long FLAGS_OFFSET = 28;
    public static final long CONSUMER_CAPACITY_OFFSET = 32;
    public static final long TABLE_OFFSET_OFFSET = 36;
    public static final long PRODUCER_PID_OFFSET = 40;
    public static final long PRODUCER_START_MS_OFFSET = 48;
    public static final long HEARTBEAT_PERIOD_NS_OFFSET = 56;
    public static final long RELIABLE_TIMEOUT_NS_OFFSET = 64;
    public static final long CREATED_MS_OFFSET = 72;
    public static final long PRODUCER_HEARTBEAT_OFFSET = 128;
    public static final long PRODUCER_STATE_OFFSET = 136;
    public static final long WRITE_SEQUENCE_OFFSET = 192;
    /** Layout 2's shared futex word; unused since layout 3 (each entry has its own WAKE_WORD). */
    public static final long NOTIFY_WORD_OFFSET = 256;
    public static final long FRAMES_OFFSET = 320;
    public static final long BYTES_OFFSET = 328;
    public static final long UNBLOCKS_OFFSET = 336;
    public static final long RELIABLE_TIMEOUTS_OFFSET = 344;
    public static final long CHANNEL_NAME_LENGTH_OFFSET = 512;
    public static final long CHANNEL_NAME_OFFSET = 516;
    public static final int CHANNEL_NAME_MAX = 255;
    public static final long SCHEMA_HASH_OFFSET = 1024;
    public static final int SCHEMA_HASH_LENGTH = 32;
    public static final long SCHEMA_LENGTH_OFFSET = 1056;
    public static final long SCHEMA_OFFSET_OFFSET = 1060;
    /** Longest schema JSON a segment holds: the Validator's limit (io.labhub.validation.Validator#MAX_SCHEMA_JSON_BYTES). */
    public static final int SCHEMA_MAX = 16 * 1024;
    public static final int HEADER_LENGTH = PAGE;

    public static final int FLAG_RELIABLE = 1;
    public static final int FLAG_CRC32C = 2;
    public static final int PRODUCER_OPEN = 0;
    public static final int PRODUCER_CLOSED = 1;

    // consumer table (offsets relative to the table's start, Geometry.tableOffset())
    /** Where the table starts in a segment without a schema; with one, {@link Geometry#tableOffset()}. */
    public static final long TABLE_OFFSET = PAGE;
    /** Layout 1's shared WAITERS count; unused since layout 2 (nothing reads or writes it). */
    public static final long TABLE_RESERVED = 0;
    public static final long TABLE_HIGH_WATER = 4;
    public static final long TABLE_SKIPS = 8;
    public static final long TABLE_OVERRUNS = 16;
    public static final long ENTRIES_OFFSET = CACHE_LINE;
    public static final int ENTRY_LENGTH = 2 * CACHE_LINE;
    public static final long ENTRY_STATE = 0;
    /** On the entry's second line: the producer reads it after every commit without pulling the first. */
    public static final long ENTRY_WAITING = CACHE_LINE;
    /** The entry's own futex word (layout 3), on WAITING's line: the producer bumps it, then wakes it. */
    public static final long ENTRY_WAKE_WORD = CACHE_LINE + 4;
    /** The sequence the sleeper waits for (layout 3): a commit below it does not wake the entry. */
    public static final long ENTRY_WAIT_TARGET = CACHE_LINE + 8;
    public static final long ENTRY_PID = 8;
    public static final long ENTRY_START_MS = 16;
    public static final long ENTRY_POSITION = 24;
    public static final long ENTRY_HEARTBEAT = 32;
    public static final long ENTRY_SKIPS = 40;
    public static final long ENTRY_OVERRUNS = 48;
    /** WAITING values (layout 3): awake; asleep (armed by the consumer); owed a wake by a forwarder; woken as a forwarder. */
    public static final int WAITING_NO = 0;
    public static final int WAITING_ASLEEP = 1;
    public static final int WAITING_OWED = 2;
    public static final int WAITING_FORWARD = 3;
    public static final int ENTRY_FREE = 0;
    public static final int ENTRY_JOINING = 1;
    public static final int ENTRY_ACTIVE = 2;
    public static final int ENTRY_DROPPED = 3;

    // slots
    public static final long SLOT_SEQUENCE = 0;
    public static final long SLOT_LENGTH = 8;
    public static final long SLOT_CRC = 12;
    public static final long SLOT_TIMESTAMP = 16;
    public static final int SLOT_HEADER_LENGTH = 32;

    /** Hard limits a consumer accepts (so a hostile header cannot make it map absurd sizes). */
    public static final int MAX_SLOT_COUNT = 1 << 20;
    public static final int MAX_CONSUMER_CAPACITY = 1 << 16;

    /** Access to aligned fields of a mapped segment: coordinates (segment, offset). */
    public static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    public static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private ShmLayout() {
    }

    /**
     * Sizes derived from the three numbers a producer chooses.
     *
     * @param slotSize         payload bytes per slot
     * @param slotCount        slots in the ring
     * @param consumerCapacity consumer table entries
     * @param slotStride       bytes from one slot to the next
     * @param slotsOffset      where slot 0 starts
     * @param totalSize        bytes of the whole segment
     * @param tableOffset      where the consumer table starts (after the schema's pages)
     */
    public record Geometry(int slotSize, int slotCount, int consumerCapacity, int slotStride, long slotsOffset,
                           long totalSize, long tableOffset) {

        public long slotOffset(long sequence) {
            return slotsOffset + ((sequence - 1) % slotCount) * (long) slotStride;
        }

        /** Offset of consumer entry {@code index} from the segment's start (see {@link ConsumerTable#entryOffset}). */
        public long entryOffset(int index) {
            return tableOffset + ConsumerTable.entryOffset(index);
        }

        public long tableLength() {
            return slotsOffset - tableOffset;
        }
    }

    /** A segment without a schema. */
    public static Geometry geometry(int slotSize, int slotCount, int consumerCapacity) {
        return geometry(slotSize, slotCount, consumerCapacity, 0);
    }

    /**
     * @param schemaLength bytes of the schema's JSON, 0 to {@link #SCHEMA_MAX} (0: none)
     * @throws IllegalArgumentException when the numbers do not make a segment (overflow, non-positive)
     */
    public static Geometry geometry(int slotSize, int slotCount, int consumerCapacity, int schemaLength) {
        if (slotSize <= 0 || slotCount <= 0 || consumerCapacity <= 0 || slotCount > MAX_SLOT_COUNT
                || consumerCapacity > MAX_CONSUMER_CAPACITY || schemaLength < 0 || schemaLength > SCHEMA_MAX) {
            throw new IllegalArgumentException("slot size " + slotSize + ", slot count " + slotCount
                    + ", consumer capacity " + consumerCapacity + ", schema length " + schemaLength
                    + " do not make a segment");
        }
        long stride = roundUp((long) SLOT_HEADER_LENGTH + slotSize, CACHE_LINE);
        if (stride > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("slot size " + slotSize + " too large");
        }
        long tableOffset = PAGE + roundUp(schemaLength, PAGE);
        long slotsOffset = tableOffset + roundUp(ENTRIES_OFFSET + (long) consumerCapacity * ENTRY_LENGTH, PAGE);
        long total = Math.addExact(slotsOffset, Math.multiplyExact(stride, (long) slotCount));
        return new Geometry(slotSize, slotCount, consumerCapacity, (int) stride, slotsOffset, total, tableOffset);
    }

    /**
     * Writes the schema region (before the magic): the JSON at {@link #PAGE}, its length and offset, and the
     * raw 32 bytes of its hash (docs/schemas.md); {@code json} must be what the geometry was made for.
     *
     * @param json       the schema's JSON, UTF-8 ({@code Schema.toJson()}), or empty for none
     * @param hashHex    its hash, 64 hex digits ({@code Schema.hash()}), ignored when {@code json} is empty
     */
    public static void writeSchema(MemorySegment segment, Geometry g, byte[] json, String hashHex) {
        if (json.length == 0) {
            return; // a fresh segment is all zeros: length 0, offset 0, hash 0
        }
        if (PAGE + roundUp(json.length, PAGE) != g.tableOffset()) {
            throw new IllegalArgumentException("the geometry was made for another schema length");
        }
        MemorySegment.copy(json, 0, segment, ValueLayout.JAVA_BYTE, PAGE, json.length);
        MemorySegment.copy(java.util.HexFormat.of().parseHex(hashHex), 0, segment, ValueLayout.JAVA_BYTE,
                SCHEMA_HASH_OFFSET, SCHEMA_HASH_LENGTH);
        segment.set(ValueLayout.JAVA_INT, SCHEMA_LENGTH_OFFSET, json.length);
        segment.set(ValueLayout.JAVA_INT, SCHEMA_OFFSET_OFFSET, PAGE);
    }

    /** @return the segment's schema hash as 64 lowercase hex digits, or {@code null} when it has no schema */
    public static String schemaHash(MemorySegment header) {
        if (header.get(ValueLayout.JAVA_INT_UNALIGNED, SCHEMA_LENGTH_OFFSET) == 0) { // unaligned: also a copy in an array
            return null;
        }
        return java.util.HexFormat.of().formatHex(header.asSlice(SCHEMA_HASH_OFFSET, SCHEMA_HASH_LENGTH)
                .toArray(ValueLayout.JAVA_BYTE));
    }

    /** Writes every header field except the magic (see {@link #publishMagic}). */
    public static void writeHeader(MemorySegment segment, Geometry g, int flags, long pid, long startMillis,
                                   long heartbeatPeriodNanos, long reliableTimeoutNanos) {
        segment.set(ValueLayout.JAVA_INT, LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
        segment.set(ValueLayout.JAVA_INT, SLOTS_OFFSET_OFFSET, (int) g.slotsOffset());
        segment.set(ValueLayout.JAVA_INT, SLOT_COUNT_OFFSET, g.slotCount());
        segment.set(ValueLayout.JAVA_INT, SLOT_SIZE_OFFSET, g.slotSize());
        segment.set(ValueLayout.JAVA_INT, SLOT_STRIDE_OFFSET, g.slotStride());
        segment.set(ValueLayout.JAVA_INT, FLAGS_OFFSET, flags);
        segment.set(ValueLayout.JAVA_INT, CONSUMER_CAPACITY_OFFSET, g.consumerCapacity());
        segment.set(ValueLayout.JAVA_INT, TABLE_OFFSET_OFFSET, (int) g.tableOffset());
        segment.set(ValueLayout.JAVA_LONG, PRODUCER_PID_OFFSET, pid);
        segment.set(ValueLayout.JAVA_LONG, PRODUCER_START_MS_OFFSET, startMillis);
        segment.set(ValueLayout.JAVA_LONG, HEARTBEAT_PERIOD_NS_OFFSET, heartbeatPeriodNanos);
        segment.set(ValueLayout.JAVA_LONG, RELIABLE_TIMEOUT_NS_OFFSET, reliableTimeoutNanos);
        segment.set(ValueLayout.JAVA_LONG, CREATED_MS_OFFSET, System.currentTimeMillis());
    }

    /** The last write of segment creation: a consumer trusts nothing before it sees the magic. */
    public static void publishMagic(MemorySegment segment) {
        LONG.setRelease(segment, MAGIC_OFFSET, MAGIC);
    }

    /** Part of creation, before {@link #publishMagic}: the channel's name, so an observer can find the segment. */
    public static void writeChannelName(MemorySegment segment, String channelName) {
        byte[] bytes = channelName.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int n = Math.min(bytes.length, CHANNEL_NAME_MAX);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, CHANNEL_NAME_OFFSET, n);
        segment.set(ValueLayout.JAVA_INT, CHANNEL_NAME_LENGTH_OFFSET, n);
    }

    /**
     * Whether the header names {@code channelName} (plain loads: written once before the magic, which the
     * caller has read with acquire). A length out of range names nothing.
     */
    public static boolean carriesChannel(MemorySegment header, String channelName) {
        int n = header.get(ValueLayout.JAVA_INT, CHANNEL_NAME_LENGTH_OFFSET);
        byte[] want = channelName.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (n != want.length || n <= 0 || n > CHANNEL_NAME_MAX) {
            return false;
        }
        return MemorySegment.mismatch(header, CHANNEL_NAME_OFFSET, CHANNEL_NAME_OFFSET + n,
                MemorySegment.ofArray(want), 0, n) < 0;
    }

    // ---- accessors that name their memory ordering (Aeron LogBufferDescriptor style) ----

    /** WRITE_SEQUENCE with acquire: everything the producer wrote before committing that frame is visible. */
    public static long writeSequenceAcquire(MemorySegment header) {
        return (long) LONG.getAcquire(header, WRITE_SEQUENCE_OFFSET);
    }

    /** WRITE_SEQUENCE with a volatile load: orders against this thread's earlier volatile store (joins, Dekker). */
    public static long writeSequenceVolatile(MemorySegment header) {
        return (long) LONG.getVolatile(header, WRITE_SEQUENCE_OFFSET);
    }

    /** PRODUCER_STATE with acquire. */
    public static int producerStateAcquire(MemorySegment header) {
        return (int) INT.getAcquire(header, PRODUCER_STATE_OFFSET);
    }

    /** PRODUCER_HEARTBEAT with acquire. */
    public static long producerHeartbeatAcquire(MemorySegment header) {
        return (long) LONG.getAcquire(header, PRODUCER_HEARTBEAT_OFFSET);
    }

    /** The producer publishes a commit: WRITE_SEQUENCE with a volatile store (it also orders the WAITING loads after it). */
    public static void writeSequenceVolatile(MemorySegment header, long sequence) {
        LONG.setVolatile(header, WRITE_SEQUENCE_OFFSET, sequence);
    }

    /** PRODUCER_STATE with a volatile store (close: before the wake-up and the table scan). */
    public static void producerStateVolatile(MemorySegment header, int state) {
        INT.setVolatile(header, PRODUCER_STATE_OFFSET, state);
    }

    /** The producer bumps its heartbeat counter (single writer: opaque load, release store). */
    public static void bumpProducerHeartbeat(MemorySegment header) {
        LONG.setRelease(header, PRODUCER_HEARTBEAT_OFFSET, (long) LONG.getOpaque(header, PRODUCER_HEARTBEAT_OFFSET) + 1);
    }

    /** Adds to a producer counter that more than one thread may bump (atomic). */
    public static void addCounterAtomic(MemorySegment header, long counterOffset, long delta) {
        LONG.getAndAdd(header, counterOffset, delta);
    }

    /**
     * A slot's SEQUENCE with acquire ({@code slotOffset} from wherever {@code slots} starts): the seqlock's
     * first and last load.
     */
    public static long slotSequenceAcquire(MemorySegment slots, long slotOffset) {
        return (long) LONG.getAcquire(slots, slotOffset + SLOT_SEQUENCE);
    }

    /** A slot's SEQUENCE with a release store: {@code -s} opens a write, {@code s} publishes frame s (LAST). */
    public static void slotSequenceRelease(MemorySegment slots, long slotOffset, long sequence) {
        LONG.setRelease(slots, slotOffset + SLOT_SEQUENCE, sequence);
    }

    /** A producer counter (FRAMES, BYTES, UNBLOCKS, RELIABLE_TIMEOUTS) with an opaque load: a snapshot, no ordering. */
    public static long counterOpaque(MemorySegment header, long counterOffset) {
        return (long) LONG.getOpaque(header, counterOffset);
    }

    /** Adds to a producer counter written by its single writer (opaque load and store: readers never see a torn value). */
    public static void addCounterOrdered(MemorySegment header, long counterOffset, long delta) {
        LONG.setOpaque(header, counterOffset, (long) LONG.getOpaque(header, counterOffset) + delta);
    }

    /**
     * The producer's counters as the header holds them: frames and bytes committed, consumers dropped
     * (UNBLOCKS), reliable waits that timed out, and the frames consumers skipped (the table's SKIPS: any
     * consumer writes it, so it is a hint). Opaque loads; nothing is joined or written.
     *
     * @param table the consumer table's first page (read-only is enough), or {@code null}
     */
    public static io.labhub.api.ChannelCounters producerCounters(MemorySegment header, MemorySegment table) {
        long skips = table == null ? 0 : Math.max(0, (long) LONG.getOpaque(table, TABLE_SKIPS));
        return new io.labhub.api.ChannelCounters(counterOpaque(header, FRAMES_OFFSET),
                counterOpaque(header, BYTES_OFFSET), 0, 0, counterOpaque(header, UNBLOCKS_OFFSET), skips, 0,
                counterOpaque(header, RELIABLE_TIMEOUTS_OFFSET), 0);
    }

    /**
     * What a consumer expects, from the broker's metadata; a field of 0 means "no expectation".
     *
     * @param schemaHash the hash of the schema the broker holds for the channel, or {@code null} (none to check)
     */
    public record Expectation(int slotSize, int slotCount, int layoutVersion, String schemaHash) {
        public static final Expectation NONE = new Expectation(0, 0, 0);

        public Expectation(int slotSize, int slotCount, int layoutVersion) {
            this(slotSize, slotCount, layoutVersion, null);
        }
    }

    /** The header fields a consumer needs, read once and validated. */
    public record Header(Geometry geometry, int flags, long producerPid, long producerStartMillis,
                         long heartbeatPeriodNanos, long reliableTimeoutNanos) {
        public boolean reliable() {
            return (flags & FLAG_RELIABLE) != 0;
        }

        public boolean crc32c() {
            return (flags & FLAG_CRC32C) != 0;
        }

        /**
         * Whether this segment's producer is closed (PRODUCER_STATE, volatile load) or its process is gone
         * (pid and start time): the one rule consumers leaving and the janitor apply before removing a file.
         */
        public boolean producerGone(MemorySegment head) {
            return (int) INT.getVolatile(head, PRODUCER_STATE_OFFSET) != PRODUCER_OPEN
                    || !Liveness.processAlive(producerPid, producerStartMillis);
        }
    }

    /**
     * Reads and checks the header page of a segment of {@code fileSize} bytes. Only the header page may
     * be mapped when this runs; every later access uses the sizes returned here, never re-read ones.
     *
     * @throws LabHubException {@link ErrorCode#SEGMENT_INVALID} naming what is wrong
     */
    public static Header validate(String name, MemorySegment header, long fileSize, Expectation expected) {
        if (fileSize < HEADER_LENGTH || header.byteSize() < HEADER_LENGTH) {
            throw invalid(name, "truncated: " + fileSize + " bytes, the header alone needs " + HEADER_LENGTH);
        }
        long magic = (long) LONG.getAcquire(header, MAGIC_OFFSET);
        if (magic == 0) {
            throw invalid(name, "magic not published yet (the producer has not finished creating it)");
        }
        if (magic != MAGIC) {
            throw invalid(name, "foreign file: magic 0x" + Long.toHexString(magic) + " is not LabHub's");
        }
        int version = header.get(ValueLayout.JAVA_INT, LAYOUT_VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw invalid(name, "layout version " + version + ", this consumer reads version " + LAYOUT_VERSION);
        }
        if (expected.layoutVersion() != 0 && expected.layoutVersion() != version) {
            throw invalid(name, "the broker announced layout version " + expected.layoutVersion()
                    + " but the segment has " + version);
        }
        int slotSize = header.get(ValueLayout.JAVA_INT, SLOT_SIZE_OFFSET);
        int slotCount = header.get(ValueLayout.JAVA_INT, SLOT_COUNT_OFFSET);
        int capacity = header.get(ValueLayout.JAVA_INT, CONSUMER_CAPACITY_OFFSET);
        int schemaLength = header.get(ValueLayout.JAVA_INT, SCHEMA_LENGTH_OFFSET);
        int schemaOffset = header.get(ValueLayout.JAVA_INT, SCHEMA_OFFSET_OFFSET);
        if (schemaLength < 0 || schemaLength > SCHEMA_MAX || schemaOffset != (schemaLength == 0 ? 0 : PAGE)) {
            throw invalid(name, "schema length " + schemaLength + " at offset " + schemaOffset + ": not a schema region"
                    + " (0..." + SCHEMA_MAX + " bytes at " + PAGE + ")");
        }
        Geometry g;
        try {
            g = geometry(slotSize, slotCount, capacity, schemaLength);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw invalid(name, "impossible sizes in header: " + e.getMessage());
        }
        if (header.get(ValueLayout.JAVA_INT, SLOT_STRIDE_OFFSET) != g.slotStride()
                || header.get(ValueLayout.JAVA_INT, SLOTS_OFFSET_OFFSET) != g.slotsOffset()
                || header.get(ValueLayout.JAVA_INT, TABLE_OFFSET_OFFSET) != g.tableOffset()) {
            throw invalid(name, "stride/offsets in header do not match slot size " + slotSize + ", count "
                    + slotCount + ", capacity " + capacity);
        }
        if (expected.slotSize() != 0 && expected.slotSize() != slotSize) {
            throw invalid(name, "slot size " + slotSize + ", but " + expected.slotSize() + " was announced");
        }
        if (expected.slotCount() != 0 && expected.slotCount() != slotCount) {
            throw invalid(name, "slot count " + slotCount + ", but " + expected.slotCount() + " was announced");
        }
        if (fileSize < g.totalSize()) {
            throw invalid(name, "truncated: " + fileSize + " bytes, the layout needs " + g.totalSize());
        }
        String hash = schemaHash(header);
        if (expected.schemaHash() != null && !expected.schemaHash().equals(hash)) {
            // the contract's typed refusal (docs/schemas.md): the segment holds another type than the broker says
            String shown = hash == null ? "no schema" : hash;
            throw new InvalidInputException("schema.mismatch", shown, "[schema.mismatch] shared-memory segment " + name
                    + " holds schema " + shown + ", but the broker's schema for the channel has hash "
                    + SafeText.display(expected.schemaHash()));
        }
        return new Header(g, header.get(ValueLayout.JAVA_INT, FLAGS_OFFSET),
                header.get(ValueLayout.JAVA_LONG, PRODUCER_PID_OFFSET),
                header.get(ValueLayout.JAVA_LONG, PRODUCER_START_MS_OFFSET),
                header.get(ValueLayout.JAVA_LONG, HEARTBEAT_PERIOD_NS_OFFSET),
                header.get(ValueLayout.JAVA_LONG, RELIABLE_TIMEOUT_NS_OFFSET));
    }

    static LabHubException invalid(String name, String why) {
        return new LabHubException(ErrorCode.SEGMENT_INVALID, "shared-memory segment " + name + " is unusable: " + why);
    }

    private static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }
}
