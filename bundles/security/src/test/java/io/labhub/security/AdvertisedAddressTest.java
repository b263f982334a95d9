package io.labhub.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.Test;

/** The advertised-host rule over fake interface lists (no real network needed). */
public class AdvertisedAddressTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static AdvertisedAddress.Interface up(String name, int index, String... addresses) {
        return new AdvertisedAddress.Interface(name, index, true, false, false, false,
                java.util.Arrays.stream(addresses).map(AdvertisedAddressTest::ip).toList());
    }

    private static final AdvertisedAddress.Interface LO = new AdvertisedAddress.Interface("lo", 1, true, true, false, false,
            List.of(ip("127.0.0.1"), ip("::1")));

    @Test
    public void thePrimaryNonLoopbackInterfaceIsChosenIpv4First() {
        AdvertisedAddress.Choice c = AdvertisedAddress.choose(List.of(LO, up("eth0", 2, "fe80::1", "fd00::2", "192.0.2.2")), "", "");
        assertEquals("192.0.2.2", c.host());
        assertFalse(c.loopbackOnly());
    }

    @Test
    public void downLoopbackVirtualTunnelAndBridgeInterfacesComeLast() {
        AdvertisedAddress.Interface down = new AdvertisedAddress.Interface("eth1", 2, false, false, false, false, List.of(ip("10.9.9.9")));
        AdvertisedAddress.Interface tun = new AdvertisedAddress.Interface("tun0", 3, true, false, false, true, List.of(ip("10.8.0.2")));
        AdvertisedAddress.Interface alias = new AdvertisedAddress.Interface("eth0:1", 4, true, false, true, false, List.of(ip("10.7.0.2")));
        AdvertisedAddress.Interface docker = up("docker0", 5, "172.17.0.1");
        AdvertisedAddress.Interface lan = up("enp3s0", 9, "10.0.0.5");
        assertEquals("10.0.0.5", AdvertisedAddress.choose(List.of(LO, down, tun, alias, docker, lan), null, null).host());
        assertEquals("only a tunnel is left: better than loopback", "10.8.0.2",
                AdvertisedAddress.choose(List.of(LO, down, tun), "", "").host());
    }

    @Test
    public void ipv6IsUsedWhenNoIpv4ExistsButNeverLinkLocal() {
        assertEquals(ip("fd00::2"), ip(AdvertisedAddress.choose(List.of(LO, up("eth0", 2, "fe80::1", "fd00::2")), "", "").host()));
        AdvertisedAddress.Choice onlyLinkLocal = AdvertisedAddress.choose(List.of(LO, up("eth0", 2, "fe80::1")), "", "");
        assertTrue(onlyLinkLocal.loopbackOnly());
    }

    @Test
    public void ipv4BeatsIpv6AcrossInterfacesAndTheLowerIndexBreaksTies() {
        assertEquals("10.0.0.7", AdvertisedAddress.choose(List.of(up("eth0", 2, "fd00::2"), up("eth1", 3, "10.0.0.7")), "", "").host());
        assertEquals("10.0.0.1", AdvertisedAddress.choose(List.of(up("eth1", 3, "10.0.0.7"), up("eth0", 2, "10.0.0.1")), "", "").host());
    }

    @Test
    public void advertisedHostAndInterfaceOverride() {
        List<AdvertisedAddress.Interface> all = List.of(LO, up("eth0", 2, "192.0.2.2"), up("eth1", 3, "198.51.100.4"));
        assertEquals("lab-pc-3", AdvertisedAddress.choose(all, " lab-pc-3 ", "eth0").host());
        assertEquals("198.51.100.4", AdvertisedAddress.choose(all, "", "eth1").host());
        assertEquals("an unknown interface falls back to the automatic choice", "192.0.2.2",
                AdvertisedAddress.choose(all, "", "wlan7").host());
    }

    @Test
    public void onlyLoopbackIsSaidSo() {
        AdvertisedAddress.Choice c = AdvertisedAddress.choose(List.of(LO), "", "");
        assertEquals("127.0.0.1", c.host());
        assertTrue(c.loopbackOnly());
        assertTrue(AdvertisedAddress.choose(List.of(), "", "").loopbackOnly());
    }

    @Test
    public void onlyWildcardTcpEndpointsAreRewritten() {
        assertEquals("tcp://lab-pc-3:40123", AdvertisedAddress.advertise("tcp://0.0.0.0:40123", "lab-pc-3", "", "p"));
        assertEquals("tcp://[fd00::2]:40123", AdvertisedAddress.advertise("tcp://[::]:40123", "fd00::2", "", "p"));
        assertEquals("tcp://127.0.0.1:40123", AdvertisedAddress.advertise("tcp://127.0.0.1:40123", "lab-pc-3", "", "p"));
        assertEquals("ipc:///tmp/x", AdvertisedAddress.advertise("ipc:///tmp/x", "lab-pc-3", "", "p"));
        assertTrue(AdvertisedAddress.isWildcard("*"));
        assertFalse(AdvertisedAddress.isWildcard("10.0.0.1"));
    }

    @Test
    public void onThisMachineANonLoopbackInterfaceIsAdvertisedWhenOneIsUp() throws Exception {
        boolean nonLoopbackUp = false;
        for (AdvertisedAddress.Interface i : AdvertisedAddress.systemInterfaces()) {
            nonLoopbackUp |= i.up() && !i.loopback() && i.addresses().stream().anyMatch(a -> !a.isLinkLocalAddress());
        }
        String advertised = AdvertisedAddress.advertise("tcp://0.0.0.0:5570", "", "", "test");
        assertEquals(advertised, nonLoopbackUp, !InetAddress.getByName(
                advertised.substring(6, advertised.lastIndexOf(':')).replace("[", "").replace("]", "")).isLoopbackAddress());
    }
}
