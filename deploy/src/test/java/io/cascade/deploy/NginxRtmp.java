package io.cascade.deploy;

import io.cascade.testing.Await;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * nginx with the RTMP module (Debian's libnginx-mod-rtmp): a server nobody here wrote, as a relay's source and
 * target. One process (no daemon, no workers), its own prefix under the test's folder, loopback only, an
 * application {@code live}; closing kills it by its own PID.
 */
final class NginxRtmp implements AutoCloseable {
    /** Where Debian installs the module. */
    static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");

    final int port;
    private final ExternalProcess process;

    private NginxRtmp(int port, ExternalProcess process) {
        this.port = port;
        this.process = process;
    }

    static NginxRtmp start(Path dir) throws Exception {
        if (!Files.isRegularFile(MODULE)) {
            throw new AssertionError(MODULE + " is missing (Debian package libnginx-mod-rtmp): interop tests fail"
                    + " rather than skip without their peers; deploy/bin/test installs it");
        }
        int port = Clients.freePort();
        Path prefix = Files.createDirectories(dir.resolve("nginx-" + port));
        Files.writeString(prefix.resolve("nginx.conf"), String.join("\n",
                "load_module " + MODULE + ";",
                "pid " + prefix.resolve("nginx.pid") + ";",
                "events { worker_connections 256; }",
                "rtmp {",
                "  server {",
                "    listen 127.0.0.1:" + port + ";",
                "    chunk_size 4096;",
                "    application live { live on; record off; }",
                "  }",
                "}", ""));
        ExternalProcess p = ExternalProcess.start("nginx-rtmp", List.of("nginx", "-p", prefix + "/",
                "-e", prefix.resolve("error.log").toString(), "-c", prefix.resolve("nginx.conf").toString(),
                "-g", "daemon off; master_process off;"));
        NginxRtmp started = new NginxRtmp(port, p);
        try {
            Await.until(() -> "nginx-rtmp does not listen on " + port + ": " + p.describe(), Duration.ofSeconds(10),
                    () -> {
                        if (!p.isAlive()) {
                            throw new AssertionError("nginx exited: " + p.describe());
                        }
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                            return true;
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    });
            return started;
        } catch (Exception | AssertionError e) {
            started.close();
            throw e;
        }
    }

    String url(String stream) {
        return "rtmp://127.0.0.1:" + port + "/live/" + stream;
    }

    @Override
    public void close() throws InterruptedException {
        process.kill();
    }
}
