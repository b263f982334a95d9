package io.labhub.recorder.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Message;
import io.labhub.api.Publisher;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Field;
import io.labhub.api.schema.Schema;
import io.labhub.recorder.Replayer;
import io.labhub.testkit.Await;
import io.labhub.validation.Validators;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A pub/sub recording of every dtype, recorded by the {@link RecorderService} and replayed through a publisher
 * (scripted behind the Hub API: the unit's engine has no zmq transport), and the {@code hub:replay} command line.
 */
public class ReplayCommandsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int N = 30;
    private static final Schema ALL = Schema.builder()
            .field("u8", Dtype.U8).field("i8", Dtype.I8).field("u16", Dtype.U16, 3).field("i16", Dtype.I16)
            .field("u32", Dtype.U32).field("i32", Dtype.I32).field("u64", Dtype.U64).field("i64", Dtype.I64)
            .field("f32", Dtype.F32, 2, 2).field("f64", Dtype.F64).field("ok", Dtype.BOOL)
            .text("name", Dtype.UTF8, 8).text("tags", Dtype.BYTES, 4, 2)
            .build();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final BlockingQueue<Message> recorded = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> published = new LinkedBlockingQueue<>();
    private final AtomicReference<ZmqOptions> publisherOptions = new AtomicReference<>();
    private final ReplayService replayer = new ReplayService(hub(), Validators.defaults());

    @After
    public void tearDown() {
        replayer.stop(null);
    }

    /** Random bytes in every field (bool 0 or 1), zeros in any padding: what a record of ALL can hold. */
    private static byte[] record(int s) {
        byte[] b = new byte[ALL.size()];
        Random r = new Random(s);
        for (Field f : ALL.fields()) {
            for (int k = 0; k < f.byteSize(); k++) {
                b[f.offset() + k] = (byte) (f.dtype() == Dtype.BOOL ? r.nextInt(2) : r.nextInt(256));
            }
        }
        return b;
    }

    private Hub hub() {
        ChannelInfo info = new ChannelInfo(new ChannelName("lab.all"), ChannelKind.PUBSUB, "producer", "tcp://x", null,
                Map.of("rig", "b2"), 1, ChannelState.ACTIVE, ALL);
        Subscriber subscriber = (Subscriber) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Subscriber.class}, (p, m, a) -> switch (m.getName()) {
                    case "receive" -> {
                        Message msg = recorded.poll(((Duration) a[0]).toMillis(), TimeUnit.MILLISECONDS);
                        if (msg == null) {
                            throw new ChannelTimeoutException("no message");
                        }
                        yield msg;
                    }
                    case "counters" -> ChannelCounters.ZERO;
                    case "close" -> null;
                    case "isOpen" -> true;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        Publisher publisher = (Publisher) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Publisher.class}, (p, m, a) -> switch (m.getName()) {
                    case "publish" -> {
                        published.add((byte[]) a[0]);
                        yield (long) published.size();
                    }
                    case "close" -> null;
                    case "isOpen" -> true;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (Hub) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Hub.class},
                (p, m, a) -> switch (m.getName()) {
                    case "find" -> "lab.all".equals(a[0]) ? Optional.of(info) : Optional.empty();
                    case "openSubscriber" -> subscriber;
                    case "createPublisher" -> {
                        publisherOptions.set((ZmqOptions) a[1]);
                        yield publisher;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private Path recordAll() {
        RecorderService recorder = new RecorderService(hub(), Validators.defaults());
        Path file = tmp.getRoot().toPath().resolve("all.h5");
        recorder.start(List.of("lab.all"), file);
        for (int s = 0; s < N; s++) {
            recorded.add(new Message(s, 1_000_000L * s, 0, record(s)));
        }
        Await.until("every message recorded", WAIT, () -> recorder.status().frames().get("lab.all") == N);
        recorder.stop();
        return file;
    }

    @Test
    public void aPubSubRecordingOfEveryDtypeReplaysByteForByteThroughAPublisher() throws Exception {
        Path file = recordAll();
        ReplayCommands commands = new ReplayCommands(replayer);
        String started = commands.replay(file.toString(), "--as", "lab.again", "--rate", "max");
        assertTrue(started, started.startsWith("lab.again <- lab.all of " + file.toAbsolutePath() + ": "));
        for (int s = 0; s < N; s++) {
            byte[] got = published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertArrayEquals("message " + s, record(s), got);
        }
        ZmqOptions o = publisherOptions.get();
        assertEquals(ALL, o.schema());
        assertEquals("true", o.metadata().get("replay"));
        assertEquals(file.toAbsolutePath().toString(), o.metadata().get("source"));
        assertEquals("b2", o.metadata().get("rig"));
        Await.until("done", WAIT, () -> commands.replay("status").contains(": done, " + N + " frames, pass 1"));
        String stopped = commands.replay("stop", "lab.again");
        assertTrue(stopped, stopped.contains(": stopped, " + N + " frames"));
        assertEquals("no replay", commands.replay("status"));
        assertNull("nothing more was published", published.poll());
    }

    @Test
    public void badCommandLinesAreTypedErrors() {
        ReplayCommands commands = new ReplayCommands(replayer);
        Map<String, List<String[]>> cases = Map.of(
                "replay.usage", List.of(new String[0], new String[] {"f.h5", "--rate"}, new String[] {"f.h5", "--bogus"},
                        new String[] {"stop", "a", "b"}, new String[] {"f.h5", "--as"}),
                "replay.rate", List.of(new String[] {"f.h5", "--rate", "fast"}, new String[] {"f.h5", "--rate", "0x"}),
                "replay.consumers", List.of(new String[] {"f.h5", "--consumers", "two"},
                        new String[] {"f.h5", "--consumers", "-1"}),
                "replay.name", List.<String[]>of(new String[] {"stop", "nope"}),
                "replay.file", List.<String[]>of(new String[] {tmp.getRoot().toPath().resolve("absent.h5").toString()}));
        cases.forEach((rule, lines) -> {
            for (String[] line : lines) {
                try {
                    commands.replay(line);
                    fail(String.join(" ", line) + " must be refused");
                } catch (InvalidInputException e) {
                    assertEquals(String.join(" ", line) + ": " + e.getMessage(), rule, e.rule());
                }
            }
        });
        Replayer.Options o = ReplayCommands.options("f.h5", "--channel", "a.b", "--as", "c.d", "--rate", "0.5x",
                "--loop", "--consumers", "2");
        assertEquals(new Replayer.Options("a.b", "c.d", 0.5, true, 2), o);
    }
}
