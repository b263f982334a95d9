package io.labhub.broker;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.client.BrokerClientConfig;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.validation.Validators;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The other process of {@link BrokerProcessTest}: a broker, or a producer that registers one channel;
 * it prints one line when ready, then runs until killed. The line on stdout is the protocol between
 * test and child (this is a test fixture, not LabHub code).
 */
public final class ChildMain {

    private ChildMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        Path keys = Path.of(args[1]);
        CurveSecurityHandle security = CurveSecurityFactory.start(keys, null);
        switch (args[0]) {
            case "broker" -> {
                BrokerServer broker = BrokerServer.start(new BrokerConfig(args[2], args[3], TestBed.HEARTBEAT,
                        TestBed.MISSED_BEATS, TestBed.MAX_MESSAGE_SIZE), security, Validators.defaults());
                out.println("READY " + broker.endpoint());
            }
            case "producer" -> {
                BrokerClient client = BrokerClient.start(new BrokerClientConfig(args[2], args[3], TestBed.HEARTBEAT,
                        Duration.ofSeconds(1)), security);
                client.register(new ChannelInfo(new ChannelName(args[4]), ChannelKind.PUBSUB, null,
                        "tcp://127.0.0.1:40999", security.publicKey(), Map.of(), 0, ChannelState.ACTIVE));
                out.println("READY " + security.publicKey());
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        out.flush();
        Thread.currentThread().join(); // until killed
    }
}
