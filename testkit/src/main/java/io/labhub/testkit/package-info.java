/**
 * What LabHub's tests share, written once (openHAB's {@code JavaTest.waitForAssert} is the model).
 *
 * <ul>
 *   <li>{@link io.labhub.testkit.Await}: wait for a condition with a deadline; one failure message that says what
 *       was awaited and for how long. Tests never sleep in place of synchronisation.</li>
 *   <li>{@link io.labhub.testkit.ChildJvm}: a JVM (or a command) in a process of its own, its output captured
 *       line by line, a readiness line to wait for, SIGKILL that waits until the process is gone.</li>
 *   <li>{@link io.labhub.testkit.FakeHub}: the Hub and broker in one object for transport tests; its
 *       {@link io.labhub.api.spi.ChannelContext}s keep the SPI contract (events on one Hub thread, never
 *       concurrently; discovery with a deadline; typed errors).</li>
 *   <li>{@link io.labhub.testkit.Python}: Debian's python3 running a check with the reference libraries (h5py,
 *       numpy), and whether they are installed (a test skips naming the package when not).</li>
 *   <li>{@link io.labhub.testkit.ConfigurationSeed}: the kit's bundle activator; in a Pax Exam framework it makes
 *       the configurations of a directory ({@code PID.cfg}) exist before the broker and the Hub start.</li>
 * </ul>
 *
 * <p>Test scope only ({@code <scope>test</scope>}); nothing here ships in a runtime.
 */
package io.labhub.testkit;
