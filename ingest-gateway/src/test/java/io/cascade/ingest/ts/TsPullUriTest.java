package io.cascade.ingest.ts;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TsPullUriTest {
    @Test
    void aUnicastUdpPullListensOnTheAddressAndPort() {
        TsPullUri u = TsPullUri.parse("dmpegtsudp://0.0.0.0:9000");
        assertEquals(TsPullUri.Transport.UDP, u.transport());
        TsListenerSpec spec = u.listener("cam1");
        assertEquals(new TsListenerSpec(TsListenerSpec.Transport.UDP, "0.0.0.0", 9000, "cam1", "", "", ""), spec);
        assertEquals("0.0.0.0", spec.bindHost());
        assertEquals("dmpegtsudp://127.0.0.1:1234", TsPullUri.parse("DMPEGTSUDP://127.0.0.1:1234/").describe());
    }

    @Test
    void aMulticastHostIsAGroupJoinedAsATsListenerJoinsIt() {
        TsListenerSpec spec = TsPullUri.parse("dmpegtsudp://232.1.1.1:1234?interface=eth1&source=10.0.0.5")
                .listener("studio");
        assertEquals("232.1.1.1", spec.group());
        assertEquals("232.1.1.1", spec.bindHost(), "a group's socket binds the group: it gets that group only");
        assertEquals("eth1", spec.iface());
        assertEquals("10.0.0.5", spec.source());
        assertEquals("::", TsPullUri.parse("dmpegtsudp://[ff15::42]:1234").listener("x").host());
        assertEquals("dmpegtsudp://232.1.1.1:1234?source=10.0.0.5",
                TsPullUri.parse("dmpegtsudp://232.1.1.1:1234?source=10.0.0.5&interface=lo").describe(),
                "a source tells one pull from another; an interface does not");
    }

    @Test
    void aTcpPullConnectsToAHostByNameOrAddress() {
        TsPullUri u = TsPullUri.parse("dmpegtstcp://encoder.example:9001");
        assertEquals(TsPullUri.Transport.TCP, u.transport());
        assertEquals("encoder.example", u.host());
        assertEquals(9001, u.port());
        assertEquals("::1", TsPullUri.parse("dmpegtstcp://[::1]:9001").host());
        assertEquals("dmpegtstcp://[::1]:9001", TsPullUri.parse("dmpegtstcp://[::1]:9001").describe());
    }

    @Test
    void badUrisAreRefusedSayingWhatIsWrong() {
        String[][] bad = {
                {"rtmp://127.0.0.1:9000", "dmpegtsudp"},
                {"dmpegtsudp://127.0.0.1", "no port"},
                {"dmpegtsudp://127.0.0.1:0", "port 0"},
                {"dmpegtsudp://127.0.0.1:65536", "port 65536"},
                {"dmpegtsudp://127.0.0.1:x", "not a number"},
                {"dmpegtsudp://:9000", "no host"},
                {"dmpegtsudp://cam.example:9000", "must be an IP address"},
                {"dmpegtsudp://300.1.1.1:9000", "must be an IP address"},
                {"dmpegtsudp://127.0.0.1:9000/live", "no path"},
                {"dmpegtsudp://127.0.0.1:9000?source=10.0.0.5", "source needs a multicast group"},
                {"dmpegtsudp://127.0.0.1:9000?interface=eth0", "interface needs a multicast group"},
                {"dmpegtsudp://239.1.1.1:9000?source=cam.example", "not an IP address"},
                {"dmpegtsudp://239.1.1.1:9000?interface=a/b", "interface"},
                {"dmpegtsudp://127.0.0.1:9000?stream=x", "unknown parameter stream"},
                {"dmpegtsudp://239.1.1.1:9000?source=1.1.1.1&source=2.2.2.2", "given twice"},
                {"dmpegtsudp://::1:9000", "[address]:port"},
                {"dmpegtstcp://127.0.0.1:9000?interface=eth0", "takes no parameters"},
                {"dmpegtstcp://bad_host:9000", "neither a host name"},
                {"dmpegtstcp://user@127.0.0.1:9000", "user@"},
                {"dmpegtstcp://127.0.0.1:" + "9".repeat(2000), "at most"},
        };
        for (String[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TsPullUri.parse(b[0]), b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + ": " + e.getMessage());
        }
    }
}
