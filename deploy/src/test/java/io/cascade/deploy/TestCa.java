package io.cascade.deploy;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway certificate authority for TLS tests, made with openssl when the test runs, under
 * {@code target/test-ca/}: no key is ever committed. It issues server certificates for 127.0.0.1 and localhost
 * with the serial a test chooses, so a test can tell which certificate a server presents.
 */
final class TestCa {
    final Path dir;
    final Path cert;
    private final Path key;

    private TestCa(Path dir) {
        this.dir = dir;
        this.cert = dir.resolve("ca.pem");
        this.key = dir.resolve("ca.key");
    }

    /** A new CA in a folder of its own. */
    static TestCa create(String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "test-ca", name + "-" + System.nanoTime()))
                .toAbsolutePath();
        TestCa ca = new TestCa(dir);
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", ca.key.toString(), "-out", ca.cert.toString(), "-days", "2", "-subj", "/CN=Cascade test CA");
        return ca;
    }

    /** A server certificate and its key (PKCS#8 PEM) signed by this CA: {cert, key}. */
    Path[] issue(String name, long serial) throws Exception {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n");
        openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=localhost");
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", this.cert.toString(), "-CAkey", this.key.toString(),
                "-set_serial", String.valueOf(serial), "-days", "2", "-extfile", ext.toString(),
                "-out", cert.toString());
        return new Path[] {cert, key};
    }

    /** Runs openssl with these arguments in {@code dir}; fails with its output when it fails. */
    static String openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** Copies a pair over the files a node reads, each through a move so the node never sees half a file. */
    static void install(Path[] pair, Path certFile, Path keyFile) throws IOException {
        for (int i = 0; i < 2; i++) {
            Path target = i == 0 ? certFile : keyFile;
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.copy(pair[i], tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** A TLS context that trusts this CA only. */
    SSLContext trusting() throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The serial of the certificate a TLS server on 127.0.0.1:port presents to a new connection (verified). */
    BigInteger serialAt(int port) throws Exception {
        try (SSLSocket s = (SSLSocket) trusting().getSocketFactory().createSocket()) {
            SSLParameters checkName = s.getSSLParameters();
            checkName.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name 127.0.0.1
            s.setSSLParameters(checkName);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(5_000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
