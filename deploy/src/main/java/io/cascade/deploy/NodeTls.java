package io.cascade.deploy;

import io.cascade.deploy.NodeConfig.Role;
import io.cascade.settings.Setting;
import io.cascade.settings.SettingsException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The certificate and key of the node's TLS listeners ({@code tls.cert}, {@code tls.key}: PEM files), checked before
 * anything starts, and reloaded without a restart: every {@code tls.reload.ms} the two files' modification times
 * and sizes are compared with the last seen; a changed pair that loads and matches goes to every TLS listener
 * (Vert.x's {@code updateSSLOptions}: connections accepted from then on get it, open ones keep theirs), and one that
 * does not is logged and the pair in use is kept.
 */
final class NodeTls {
    private static final Logger log = LoggerFactory.getLogger(NodeTls.class);

    static final Setting<String> CERT = Setting.text("tls.cert", "",
            "PEM file with the certificate of the TLS listeners (`rtmps.port`, `https.port`, `api.tls`), followed by"
                    + " its chain");
    static final Setting<String> KEY = Setting.text("tls.key", "",
            "PEM file with the unencrypted private key of `tls.cert` (PKCS#8, PKCS#1 RSA or SEC1 EC)");
    static final Setting<Integer> RELOAD_MS = Setting.integer("tls.reload.ms", 5000, 0, 3_600_000,
            "how often the modification times of `tls.cert` and `tls.key` are checked; a new valid pair is used for"
                    + " new connections without a restart; `0`: never");
    static final List<Setting<?>> SETTINGS = List.of(CERT, KEY, RELOAD_MS);

    /** Key types a PEM key may hold, as the JDK's key managers name them. */
    private static final List<String> KEY_TYPES = List.of("RSA", "EC", "EdDSA", "Ed25519", "Ed448", "RSASSA-PSS",
            "DSA");

    private final Path certFile;
    private final Path keyFile;
    private final List<String> users;
    private final List<Function<ServerSSLOptions, Future<Boolean>>> servers = new CopyOnWriteArrayList<>();
    private volatile Pair current;
    private Stamp seen;

    /** A loaded, matching certificate and key: the PEM bytes and what the log says about them. */
    record Pair(byte[] cert, byte[] key, X509Certificate leaf) {
        String describe() {
            return "serial " + leaf.getSerialNumber().toString(16).toUpperCase(Locale.ROOT) + ", "
                    + leaf.getSubjectX500Principal().getName() + ", valid until " + leaf.getNotAfter().toInstant();
        }

        boolean sameAs(Pair other) {
            return Arrays.equals(cert, other.cert) && Arrays.equals(key, other.key);
        }
    }

    /** What tells a file changed without reading it. */
    private record Stamp(long certModified, long certSize, long keyModified, long keySize) {
    }

    private NodeTls(Path certFile, Path keyFile, List<String> users, Pair pair, Stamp stamp) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.users = users;
        this.current = pair;
        this.seen = stamp;
    }

    /**
     * The node's TLS, or null when none of its listeners uses TLS. A listener that does, with no usable
     * certificate and key, stops the node here with one line: before it joins a cluster.
     */
    static NodeTls check(NodeConfig config, Set<Role> roles) {
        List<String> users = new ArrayList<>();
        for (Listener l : Listener.ALL) {
            if (l.wanted(roles) && l.tls(config)) {
                l.endpoints(config).forEach(e -> users.add(e.describe()));
            }
        }
        if (users.isEmpty()) {
            return null;
        }
        String who = "TLS on " + String.join(", ", users);
        String cert = config.value(CERT);
        String key = config.value(KEY);
        if (cert.isEmpty() || key.isEmpty()) {
            String unset = cert.isEmpty() && key.isEmpty() ? "neither is set"
                    : (cert.isEmpty() ? CERT : KEY) + " is not set";
            throw new SettingsException(List.of(who + " needs " + CERT + " and " + KEY + " (PEM files): " + unset));
        }
        Path certFile = Path.of(cert);
        Path keyFile = Path.of(key);
        try {
            Stamp stamp = stamp(certFile, keyFile);
            Pair pair = load(certFile, keyFile);
            NodeTls tls = new NodeTls(certFile, keyFile, users, pair, stamp);
            log.info("tls: certificate {} ({}) for {}", certFile, pair.describe(), String.join(", ", users));
            Instant now = Instant.now();
            Instant from = pair.leaf().getNotBefore().toInstant();
            Instant until = pair.leaf().getNotAfter().toInstant();
            if (now.isAfter(until) || now.isBefore(from)) {
                log.warn("tls: the certificate {} is not valid now (valid {} to {}); clients will refuse it", certFile,
                        from, until);
            }
            return tls;
        } catch (IllegalArgumentException e) {
            throw new SettingsException(List.of(who + ": " + e.getMessage()));
        }
    }

    /**
     * Reads and checks a pair: a PEM certificate, a PEM private key, and the key is the certificate's. Throws an
     * {@link IllegalArgumentException} with a one-line reason naming the setting.
     */
    static Pair load(Path certFile, Path keyFile) {
        byte[] cert = read(CERT, certFile);
        byte[] key = read(KEY, keyFile);
        X509KeyManager keys;
        try {
            // values, not paths: Vert.x reads nothing through a file system, so it needs no Vertx instance here
            PemKeyCertOptions pem = pem(cert, key);
            keys = x509(pem.getKeyManagerFactory(null).getKeyManagers());
        } catch (Exception e) {
            throw new IllegalArgumentException(CERT + " " + certFile + " and " + KEY + " " + keyFile
                    + " are not a PEM certificate and key: " + oneLine(e));
        }
        for (String type : KEY_TYPES) {
            String[] aliases = keys.getServerAliases(type, null);
            if (aliases == null || aliases.length == 0) {
                continue;
            }
            X509Certificate[] chain = keys.getCertificateChain(aliases[0]);
            PrivateKey privateKey = keys.getPrivateKey(aliases[0]);
            if (chain == null || chain.length == 0 || privateKey == null) {
                break;
            }
            if (!matches(privateKey, chain[0].getPublicKey())) {
                throw new IllegalArgumentException(KEY + " " + keyFile + " is not the key of " + CERT + " " + certFile
                        + " (" + chain[0].getSubjectX500Principal().getName() + ")");
            }
            return new Pair(cert, key, chain[0]);
        }
        throw new IllegalArgumentException(CERT + " " + certFile + " and " + KEY + " " + keyFile
                + " hold no certificate with its key");
    }

    private static byte[] read(Setting<String> setting, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(setting + " " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + " " + file + " cannot be read: " + oneLine(e));
        }
    }

    private static X509KeyManager x509(KeyManager[] managers) {
        for (KeyManager m : managers) {
            if (m instanceof X509KeyManager x) {
                return x;
            }
        }
        throw new IllegalArgumentException("no X.509 key manager");
    }

    /** Whether the key signs what the certificate's public key verifies. Key types without a known signature pass. */
    private static boolean matches(PrivateKey key, PublicKey certified) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(challenge);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(certified);
            verify.update(challenge);
            return verify.verify(signature);
        } catch (Exception e) {
            return false; // a key of one type and a certificate of another
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").strip();
    }

    private static Stamp stamp(Path certFile, Path keyFile) {
        try {
            return new Stamp(Files.getLastModifiedTime(certFile).toMillis(), Files.size(certFile),
                    Files.getLastModifiedTime(keyFile).toMillis(), Files.size(keyFile));
        } catch (NoSuchFileException e) {
            Path missing = Path.of(e.getFile());
            Setting<String> which = missing.equals(certFile) ? CERT : KEY;
            throw new IllegalArgumentException(which + " " + missing + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + certFile + " or " + keyFile + ": " + oneLine(e));
        }
    }

    private static PemKeyCertOptions pem(byte[] cert, byte[] key) {
        return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
    }

    /** The certificate and key in use now, for a listener that starts. */
    ServerSSLOptions sslOptions() {
        return new ServerSSLOptions().setKeyCertOptions(pem(current.cert(), current.key()));
    }

    /** The certificate in use now. */
    Pair current() {
        return current;
    }

    /** A started TLS server: it gets every new pair. */
    void register(Function<ServerSSLOptions, Future<Boolean>> server) {
        servers.add(server);
    }

    /** Checks the files every {@code tls.reload.ms} (none with 0) for as long as the Vert.x instance runs. */
    void watch(Vertx vertx, long periodMs) {
        if (periodMs > 0) {
            vertx.setPeriodic(periodMs, id -> reloadIfChanged(vertx));
        }
    }

    /** One look at the files: a changed, valid pair goes to every registered server. */
    Future<Boolean> reloadIfChanged(Vertx vertx) {
        return vertx.executeBlocking(this::changedPair, true).compose(pair -> {
            if (pair == null) {
                return Future.succeededFuture(false);
            }
            List<Future<Boolean>> updates = new ArrayList<>();
            ServerSSLOptions options = new ServerSSLOptions().setKeyCertOptions(pem(pair.cert(), pair.key()));
            for (Function<ServerSSLOptions, Future<Boolean>> server : servers) {
                updates.add(server.apply(options));
            }
            return Future.join(updates).transform(done -> {
                if (done.failed()) {
                    log.warn("tls: the new certificate {} ({}) was refused by a listener, which keeps its old one: {}",
                            certFile, pair.describe(), oneLine(done.cause()));
                    return Future.succeededFuture(false);
                }
                current = pair;
                log.info("tls: reloaded certificate {} ({}) for {}", certFile, pair.describe(),
                        String.join(", ", users));
                return Future.succeededFuture(true);
            });
        });
    }

    /** The files' pair when they changed since the last look and hold a valid new pair; null otherwise. Blocking. */
    private Pair changedPair() {
        Stamp now;
        try {
            now = stamp(certFile, keyFile);
        } catch (IllegalArgumentException e) {
            if (seen != null) {
                log.warn("tls: {}; the certificate in use stays", e.getMessage());
            }
            seen = null; // report a missing file once, and look again at the next change
            return null;
        }
        if (now.equals(seen)) {
            return null;
        }
        seen = now;
        try {
            Pair pair = load(certFile, keyFile);
            return pair.sameAs(current) ? null : pair;
        } catch (IllegalArgumentException e) {
            // often a pair caught half-written: the next change of either file is looked at again
            log.warn("tls: changed {} / {} not used, the certificate in use stays ({}): {}", certFile, keyFile,
                    current.describe(), e.getMessage());
            return null;
        }
    }
}
