package io.labhub.security;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one rule for the host a LabHub socket bound to all interfaces ({@code *}, {@code 0.0.0.0},
 * {@code ::}) publishes, so that other hosts can reach it. Every LabHub bundle that advertises an
 * endpoint uses it (transport publishers and servers; anything the broker hands out).
 *
 * <ol>
 *   <li>an explicit {@code advertisedHost} wins, as given;</li>
 *   <li>else an explicit {@code advertisedInterface} (e.g. {@code eth0}): its first IPv4 address, else its
 *       first non-link-local IPv6 address (a WARN, and the automatic choice, when it has none or does not
 *       exist);</li>
 *   <li>else automatically: among interfaces that are up and not loopback, those that are neither virtual
 *       (a sub-interface) nor point-to-point (VPN tunnels) and are not named like a container or VM
 *       bridge ({@code docker*}, {@code veth*}, {@code virbr*}, {@code br-*}, {@code vmnet*},
 *       {@code vboxnet*}) come first; then IPv4 before IPv6, link-local IPv6 never; then the lowest
 *       interface index;</li>
 *   <li>if nothing but loopback exists: {@code 127.0.0.1}, and one WARN per property naming the property
 *       to set (other hosts cannot reach this endpoint).</li>
 * </ol>
 * Never {@link InetAddress#getLocalHost()}: on many machines the host name resolves to loopback
 * ({@code 127.0.1.1} in {@code /etc/hosts}).
 */
public final class AdvertisedAddress {

    private static final Logger LOG = LoggerFactory.getLogger(AdvertisedAddress.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
    private static final String[] BRIDGE_PREFIXES = {"docker", "veth", "virbr", "br-", "vmnet", "vboxnet", "cni", "flannel"};

    /**
     * What the rule needs to know of one network interface.
     *
     * @param name         the interface name ({@code eth0})
     * @param index        its index (lower = enumerated first by the OS)
     * @param up           whether it is up
     * @param loopback     whether it is a loopback interface
     * @param virtual      whether it is a sub-interface ({@link NetworkInterface#isVirtual()})
     * @param pointToPoint whether it is point-to-point (a tunnel)
     * @param addresses    its addresses
     */
    public record Interface(String name, int index, boolean up, boolean loopback, boolean virtual, boolean pointToPoint,
                            List<InetAddress> addresses) {
        public Interface {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * The outcome: the host to publish (an IPv6 address without brackets), and whether it is loopback
     * only (nothing else exists).
     */
    public record Choice(String host, boolean loopbackOnly, String reason) {
    }

    private AdvertisedAddress() {
    }

    /** Whether {@code host} (as it appears in an endpoint) means "all interfaces". */
    public static boolean isWildcard(String host) {
        return host.equals("*") || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")
                || host.equals("[0:0:0:0:0:0:0:0]") || host.equals("0:0:0:0:0:0:0:0") || host.isEmpty();
    }

    /**
     * {@code boundEndpoint} ({@code tcp://0.0.0.0:40123}, as a socket reports it) with a wildcard host
     * replaced by {@link #choose}'s host over this machine's interfaces; any other endpoint unchanged.
     *
     * @param property the configuration property a warning names (e.g. {@code io.labhub.transport.zmq advertisedHost})
     */
    public static String advertise(String boundEndpoint, String advertisedHost, String advertisedInterface, String property) {
        int scheme = boundEndpoint.indexOf("://");
        int colon = boundEndpoint.lastIndexOf(':');
        if (!boundEndpoint.startsWith("tcp://") || colon <= scheme + 2) {
            return boundEndpoint;
        }
        String host = boundEndpoint.substring(scheme + 3, colon);
        if (!isWildcard(host)) {
            return boundEndpoint;
        }
        String chosen = host(advertisedHost, advertisedInterface, property);
        if (chosen.contains(":") && !chosen.startsWith("[")) {
            chosen = "[" + chosen + "]";
        }
        return boundEndpoint.substring(0, scheme + 3) + chosen + boundEndpoint.substring(colon);
    }

    /** {@link #choose} over this machine's interfaces, with the loopback-only warning logged once per property. */
    public static String host(String advertisedHost, String advertisedInterface, String property) {
        Choice c = choose(systemInterfaces(), advertisedHost, advertisedInterface);
        if (c.loopbackOnly() && WARNED.add(property)) {
            LOG.warn("Only loopback can be advertised ({}): other hosts cannot reach this runtime's endpoints; "
                    + "set {} to an address they can reach", c.reason(), property);
        } else {
            LOG.debug("advertising {} ({})", c.host(), c.reason());
        }
        return c.host();
    }

    /** The rule itself, over a given list of interfaces (the unit tests give a fake one). */
    public static Choice choose(List<Interface> interfaces, String advertisedHost, String advertisedInterface) {
        if (advertisedHost != null && !advertisedHost.isBlank()) {
            return new Choice(advertisedHost.trim(), false, "advertisedHost");
        }
        if (advertisedInterface != null && !advertisedInterface.isBlank()) {
            String wanted = advertisedInterface.trim();
            for (Interface i : interfaces) {
                if (i.name().equals(wanted)) {
                    InetAddress a = best(i.addresses());
                    if (a != null) {
                        return new Choice(text(a), a.isLoopbackAddress(), "advertisedInterface " + wanted);
                    }
                }
            }
            if (WARNED.add("interface " + wanted)) {
                LOG.warn("advertisedInterface {} does not exist or has no usable address; choosing automatically", wanted);
            }
        }
        List<Interface> candidates = new ArrayList<>();
        for (Interface i : interfaces) {
            if (i.up() && !i.loopback() && best(i.addresses()) != null) {
                candidates.add(i);
            }
        }
        candidates.sort(Comparator.comparingInt((Interface i) -> preferred(i) ? 0 : 1)
                .thenComparingInt(i -> best(i.addresses()) instanceof Inet4Address ? 0 : 1)
                .thenComparingInt(Interface::index));
        if (!candidates.isEmpty()) {
            Interface i = candidates.get(0);
            return new Choice(text(best(i.addresses())), false, "interface " + i.name());
        }
        return new Choice("127.0.0.1", true, "no interface but loopback is up");
    }

    private static boolean preferred(Interface i) {
        if (i.virtual() || i.pointToPoint()) {
            return false;
        }
        String n = i.name().toLowerCase(Locale.ROOT);
        for (String p : BRIDGE_PREFIXES) {
            if (n.startsWith(p)) {
                return false;
            }
        }
        return true;
    }

    /** The interface's first IPv4 address, else its first IPv6 address that is not link-local. */
    private static InetAddress best(List<InetAddress> addresses) {
        for (InetAddress a : addresses) {
            if (a instanceof Inet4Address && !a.isAnyLocalAddress()) {
                return a;
            }
        }
        for (InetAddress a : addresses) {
            if (a instanceof Inet6Address && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()) {
                return a;
            }
        }
        return null;
    }

    private static String text(InetAddress a) {
        String s = a.getHostAddress();
        int scope = s.indexOf('%');
        return scope < 0 ? s : s.substring(0, scope);
    }

    /** This machine's interfaces as the rule sees them; an interface that cannot be read is left out. */
    public static List<Interface> systemInterfaces() {
        List<Interface> out = new ArrayList<>();
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                try {
                    out.add(new Interface(n.getName(), n.getIndex(), n.isUp(), n.isLoopback(), n.isVirtual(),
                            n.isPointToPoint(), Collections.list(n.getInetAddresses())));
                } catch (SocketException e) {
                    LOG.debug("cannot read interface {}: {}", n.getName(), e.toString());
                }
            }
        } catch (SocketException | NullPointerException e) {
            LOG.debug("cannot enumerate network interfaces: {}", e.toString());
        }
        return out;
    }
}
