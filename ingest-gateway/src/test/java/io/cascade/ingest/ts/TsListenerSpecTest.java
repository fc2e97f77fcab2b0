package io.cascade.ingest.ts;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TsListenerSpecTest {
    @Test
    void theUriAndTheQueryFormSayTheSame() {
        TsListenerSpec uri = TsListenerSpec.parse("udp://10.0.0.1:9000?stream=cam1&group=232.1.1.1&interface=eth1"
                + "&source=10.0.0.5", "0.0.0.0");
        TsListenerSpec query = TsListenerSpec.parse("protocol=udp&host=10.0.0.1&port=9000&stream=cam1&group=232.1.1.1"
                + "&interface=eth1&source=10.0.0.5", "0.0.0.0");
        assertEquals(new TsListenerSpec(TsListenerSpec.Transport.UDP, "10.0.0.1", 9000, "cam1", "232.1.1.1", "eth1",
                "10.0.0.5"), uri);
        assertEquals(uri, query);
        // a multicast listener binds its group
        assertEquals("232.1.1.1", uri.bindHost());
    }

    @Test
    void missingPartsTakeTheirDefaults() {
        TsListenerSpec tcp = TsListenerSpec.parse("tcp://:9001", "127.0.0.1");
        assertEquals(TsListenerSpec.of(TsListenerSpec.Transport.TCP, "127.0.0.1", 9001, ""), tcp);
        assertEquals("ts-tcp-9001-3", tcp.derivedName(3));
        assertEquals("ts-udp-9002", TsListenerSpec.parse("udp://:9002", "0.0.0.0").derivedName(0));
    }

    @Test
    void whatCannotWorkIsRefusedWithTheReason() {
        assertRefused("tcp://:9000?group=239.1.1.1", "group needs protocol udp");
        assertRefused("udp://:9000?group=10.1.1.1", "not a multicast address");
        assertRefused("udp://:9000?group=example.com", "not an IP address");
        assertRefused("udp://:9000?source=10.0.0.5", "source needs a group");
        assertRefused("udp://:9000?stream=a/b", "naming rule");
        assertRefused("udp://:70000", "is not a port");
        assertRefused("udp://:x", "not a number");
        assertRefused("sctp://:9000", "protocol must be udp or tcp");
        assertRefused("udp://host-without-port", "no port");
        assertRefused("udp://:9000?streem=a", "unknown field streem");
        assertRefused("udp://:9000?stream=a&stream=b", "stream given twice");
        assertRefused("udp://:9000?stream=" + "a".repeat(TsListenerSpec.MAX_TEXT_LENGTH), "longer than");
    }

    private static void assertRefused(String text, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TsListenerSpec.parse(text, "0.0.0.0"), text);
        assertTrue(e.getMessage().contains(why), text + ": " + e.getMessage());
    }
}
