package io.cascade.deploy;

import io.cascade.settings.SettingsException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's certificate and key: what is accepted, the one line a bad pair stops the node with, and reloads
 * (a new valid pair goes to every server, a bad one is logged and the pair in use kept). Certificates come from a
 * throwaway CA made with openssl under target/.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeTlsTest {
    private static final java.util.Set<NodeConfig.Role> ALL_ROLES = java.util.EnumSet.allOf(NodeConfig.Role.class);
    private static TestCa ca;
    private static Path[] first;
    private static Path[] second;

    @BeforeAll
    static void makeCertificates() throws Exception {
        ca = TestCa.create("node-tls-test");
        first = ca.issue("first", 0x1001);
        second = ca.issue("second", 0x2002);
    }

    @Test
    void aPairLoadsWithItsSerialAndTraditionalKeyFormatsToo() throws Exception {
        assertEquals(BigInteger.valueOf(0x1001), NodeTls.load(first[0], first[1]).leaf().getSerialNumber());
        // SEC1 ("EC PRIVATE KEY"), as `openssl ecparam -genkey` writes it
        Path sec1 = ca.dir.resolve("first-sec1.key");
        TestCa.openssl(ca.dir, "ec", "-in", first[1].toString(), "-out", sec1.toString());
        assertTrue(Files.readString(sec1).contains("BEGIN EC PRIVATE KEY"), Files.readString(sec1));
        assertEquals(BigInteger.valueOf(0x1001), NodeTls.load(first[0], sec1).leaf().getSerialNumber());
        // PKCS#1 RSA ("RSA PRIVATE KEY"), as older tools and certbot's early versions write it
        Path rsaKey = ca.dir.resolve("rsa.key");
        Path rsaCert = ca.dir.resolve("rsa.pem");
        TestCa.openssl(ca.dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", rsaKey.toString(),
                "-out", rsaCert.toString(), "-days", "1", "-subj", "/CN=localhost", "-set_serial", "77");
        Path pkcs1 = ca.dir.resolve("rsa-pkcs1.key");
        TestCa.openssl(ca.dir, "rsa", "-in", rsaKey.toString(), "-traditional", "-out", pkcs1.toString());
        assertTrue(Files.readString(pkcs1).contains("BEGIN RSA PRIVATE KEY"));
        assertEquals(BigInteger.valueOf(77), NodeTls.load(rsaCert, pkcs1).leaf().getSerialNumber());
    }

    @Test
    void aBadPairIsRefusedWithOneLineNamingTheSetting() throws Exception {
        String mismatch = assertThrows(IllegalArgumentException.class, () -> NodeTls.load(first[0], second[1]))
                .getMessage();
        assertTrue(mismatch.startsWith("tls.key " + second[1] + " is not the key of tls.cert " + first[0]), mismatch);

        Path missing = ca.dir.resolve("missing.pem");
        assertEquals("tls.cert " + missing + ": no such file",
                assertThrows(IllegalArgumentException.class, () -> NodeTls.load(missing, first[1])).getMessage());

        Path text = ca.dir.resolve("not-pem.txt");
        Files.writeString(text, "not a certificate\n");
        String notPem = assertThrows(IllegalArgumentException.class, () -> NodeTls.load(text, first[1])).getMessage();
        assertTrue(notPem.startsWith("tls.cert " + text + " and tls.key " + first[1] + " are not a PEM certificate"
                + " and key: "), notPem);
        assertFalse(notPem.contains("\n"), notPem);
        String keyAsCert = assertThrows(IllegalArgumentException.class, () -> NodeTls.load(first[1], first[1]))
                .getMessage();
        assertTrue(keyAsCert.contains("are not a PEM certificate and key"), keyAsCert);
    }

    @Test
    void aNodeWithoutTlsListenersNeedsNoCertificateAndOneWithThemDoes() throws Exception {
        assertNull(NodeTls.check(config(Map.of()), ALL_ROLES));
        SettingsException none = assertThrows(SettingsException.class,
                () -> NodeTls.check(config(Map.of("rtmps.port", "1936", "https.port", "8443")), ALL_ROLES));
        assertEquals("TLS on rtmps.port 1936, https.port 8443 needs tls.cert and tls.key (PEM files): neither is set",
                none.getMessage());
        SettingsException noKey = assertThrows(SettingsException.class, () -> NodeTls.check(config(Map.of(
                "api.tls", "true", "tls.cert", first[0].toString())), ALL_ROLES));
        assertEquals("TLS on api.port 7777 needs tls.cert and tls.key (PEM files): tls.key is not set",
                noKey.getMessage());
        // an edge-only node runs no API: api.tls asks nothing of it
        assertNull(NodeTls.check(config(Map.of("api.tls", "true")), java.util.Set.of(NodeConfig.Role.EDGE)));
        SettingsException mismatch = assertThrows(SettingsException.class, () -> NodeTls.check(config(Map.of(
                "rtmps.port", "1936", "tls.cert", first[0].toString(), "tls.key", second[1].toString())),
                ALL_ROLES));
        assertTrue(mismatch.getMessage().startsWith("TLS on rtmps.port 1936: tls.key " + second[1] + " is not the key"),
                mismatch.getMessage());
    }

    @Test
    void aChangedValidPairGoesToEveryServerAndABadOneIsKeptOut() throws Exception {
        Path dir = Files.createDirectories(ca.dir.resolve("reload"));
        Path certFile = dir.resolve("node.pem");
        Path keyFile = dir.resolve("node.key");
        TestCa.install(first, certFile, keyFile);
        NodeTls tls = NodeTls.check(config(Map.of("https.port", "8443", "tls.cert", certFile.toString(),
                "tls.key", keyFile.toString())), ALL_ROLES);
        List<ServerSSLOptions> updates = new CopyOnWriteArrayList<>();
        tls.register(o -> {
            updates.add(o);
            return Future.succeededFuture(true);
        });
        Vertx vertx = Vertx.vertx();
        try {
            assertFalse(reload(tls, vertx), "nothing changed");

            TestCa.install(second, certFile, keyFile);
            assertTrue(reload(tls, vertx));
            assertEquals(BigInteger.valueOf(0x2002), tls.current().leaf().getSerialNumber());
            assertEquals(1, updates.size());

            // a certificate written before its key: the pair does not match and is not used
            Files.copy(first[0], certFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertFalse(reload(tls, vertx));
            assertEquals(BigInteger.valueOf(0x2002), tls.current().leaf().getSerialNumber());
            assertFalse(reload(tls, vertx), "the same bad pair is not looked at twice");
            // then the key: now the pair is whole
            Files.copy(first[1], keyFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertTrue(reload(tls, vertx));
            assertEquals(BigInteger.valueOf(0x1001), tls.current().leaf().getSerialNumber());
            assertEquals(2, updates.size());

            // a file that disappears (a renewal tool's rename) keeps the pair in use
            Files.delete(keyFile);
            assertFalse(reload(tls, vertx));
            assertEquals(BigInteger.valueOf(0x1001), tls.current().leaf().getSerialNumber());
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    private static boolean reload(NodeTls tls, Vertx vertx) throws Exception {
        return tls.reloadIfChanged(vertx).await(10, TimeUnit.SECONDS);
    }

    private static NodeConfig config(Map<String, String> settings) {
        return NodeConfig.of(settings);
    }
}
