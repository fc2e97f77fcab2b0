package io.cascade.edge.ts;

import io.cascade.relay.RelayConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TsUdpTargetTest {
    @Test
    void defaultsAreSevenPacketsADatagramAndOneHop() {
        TsUdpTarget t = TsUdpTarget.parse("mpegtsudp://127.0.0.1:9000");
        assertEquals(new TsUdpTarget("127.0.0.1", 9000, 1, 1316, ""), t);
        assertFalse(t.multicast());
        assertEquals("mpegtsudp://127.0.0.1:9000", t.describe());
    }

    @Test
    void aMulticastGroupTakesTtlAndInterfaceAndAnyWholeNumberOfPackets() {
        TsUdpTarget t = TsUdpTarget.parse("mpegtsudp://239.1.1.1:1234?ttl=16&pkt_size=188&interface=eth1");
        assertTrue(t.multicast());
        assertEquals(16, t.ttl());
        assertEquals(188, t.packetSize());
        assertEquals("eth1", t.iface());
        assertEquals(348 * 188, TsUdpTarget.parse("mpegtsudp://[ff15::1]:1234?pkt_size=65424").packetSize());
        assertEquals("mpegtsudp://receiver.example:5000", TsUdpTarget.parse("MPEGTSUDP://Receiver.Example:5000/")
                .describe(), "one destination, however it is written");
    }

    @Test
    void badUrisAreRefusedSayingWhatIsWrong() {
        String[][] bad = {
                {"udp://127.0.0.1:9000", "mpegtsudp"},
                {"mpegtsudp://127.0.0.1", "no port"},
                {"mpegtsudp://127.0.0.1:0", "port 0"},
                {"mpegtsudp://127.0.0.1:70000", "port 70000"},
                {"mpegtsudp://:9000", "no host"},
                {"mpegtsudp://bad_host:9000", "neither a host name"},
                {"mpegtsudp://256.1.1.1:9000", "neither a host name"},
                {"mpegtsudp://[zz::1]:9000", "not an IPv6 address"},
                {"mpegtsudp://::1:9000", "[address]:port"},
                {"mpegtsudp://127.0.0.1:9000/x", "no path"},
                {"mpegtsudp://127.0.0.1:9000?pkt_size=1400", "whole number of 188-byte"},
                {"mpegtsudp://127.0.0.1:9000?pkt_size=100", "pkt_size 100"},
                {"mpegtsudp://127.0.0.1:9000?pkt_size=65612", "pkt_size 65612"},
                {"mpegtsudp://239.1.1.1:9000?ttl=256", "ttl 256"},
                {"mpegtsudp://239.1.1.1:9000?ttl=x", "not a number"},
                {"mpegtsudp://127.0.0.1:9000?interface=lo", "interface is for a multicast group"},
                {"mpegtsudp://127.0.0.1:9000?localaddr=1.2.3.4", "unknown parameter localaddr"},
                {"mpegtsudp://127.0.0.1:9000?ttl=1&ttl=2", "given twice"},
        };
        for (String[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TsUdpTarget.parse(b[0]),
                    b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + ": " + e.getMessage());
        }
    }

    @Test
    void aTargetStreamNameIsRefused() {
        RelayConfig named = new RelayConfig("push-x", RelayConfig.Kind.PUSH, "mpegtsudp://127.0.0.1:9000", "cam1",
                "other", true, Map.of());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TsUdpPush.target(named)).getMessage()
                .contains("targetStreamName"));
    }
}
