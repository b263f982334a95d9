/**
 * One way to run a socket thread, after Agrona's {@code Agent} / {@code AgentRunner} / idle strategy:
 * an {@link io.labhub.agent.Agent} does a bounded amount of work per call and says how much, an
 * {@link io.labhub.agent.AgentRunner} owns its thread (start, close with one uninterruptible join), and a
 * {@link io.labhub.agent.SocketIdleStrategy} blocks in a selector over the agent's ZeroMQ sockets when
 * there was nothing to do, with a bounded timeout and a coalesced cross-thread
 * {@link io.labhub.agent.SocketIdleStrategy#wake() wake()}. {@link io.labhub.agent.PendingTable} is the
 * one table of requests in flight with deadlines.
 *
 * <p>Why here: the three socket loops (the zmq transport's I/O loop, the broker client's loop, the
 * broker's loop) live in three bundles that all import {@code io.labhub.security}, whose
 * {@code CurveSecurity} owns the one {@code ZContext} every LabHub ZeroMQ socket is made in. This is the
 * lowest bundle they share, and it already depends on JeroMQ.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.labhub.agent;
