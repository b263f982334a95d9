package io.labhub.bench;

import java.util.Map;

/**
 * One family of cases run by a pair of child JVMs: side A serves (echo, publisher, producer), side B
 * measures. The orchestrator drives both through {@link Child}'s line protocol.
 */
interface Group {

    /** Starts this side; the returned text goes to side B as {@code peer} (A) or is ignored (B). */
    String init(String side, Map<String, String> params) throws Exception;

    /** Side A: prepares a case and starts its serving thread; the returned text is handed to B's run. */
    String setup(String caseName) throws Exception;

    /** Side B: measures a case; {@code arg} is what A's setup returned. */
    double[] run(String caseName, String arg) throws Exception;

    /** Side A: stops the case's serving thread and releases its resources. */
    void finish(String caseName) throws Exception;

    void close() throws Exception;

    static Group named(String name) {
        return switch (name) {
            case "phys" -> new PhysGroup();
            case "zmq", "jnacl", "zmqveth" -> new ZmqGroup();
            case "aeron" -> new AeronGroup();
            case "duel" -> new DuelGroup(); // phys, aeron and labhub cases taking turns in one pair of JVMs (issue 14)
            case "labhub", "labhubbc", "labhubveth" -> new LabHubGroup();
            case "python" -> new PythonGroup(); // the Python client against the Java Hub (issue 15)
            case "crypto" -> new CryptoGroup();
            case "recorder" -> new RecorderGroup(); // the recorder against a plain file write (issue 18)
            case "preview" -> new PreviewGroup(); // the web console's camera preview against none (issue 17)
            case "scale" -> new ScaleGroup(); // the scaling curves (Curves), not part of the suite's report
            default -> throw new IllegalArgumentException("unknown group " + name);
        };
    }
}
