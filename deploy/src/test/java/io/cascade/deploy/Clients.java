package io.cascade.deploy;

import java.util.List;

/** Command lines of the real clients the interop tests drive; all loopback, all bounded in time. */
final class Clients {
    private Clients() {
    }

    static int freePort() throws Exception {
        return io.cascade.testing.Ports.free(); // below the ephemeral range: see Ports
    }

    /**
     * Settings for a node of its own: a free cluster port and a cluster name nobody else uses, so nodes of
     * different tests never join one another.
     */
    static java.util.Map<String, String> isolated(java.util.Map<String, String> settings) throws Exception {
        java.util.Map<String, String> all = new java.util.HashMap<>(settings);
        int port = freePort();
        all.putIfAbsent("cluster.port", String.valueOf(port));
        all.putIfAbsent("cluster.name", "test-" + port);
        all.putIfAbsent("rtsp.port", "0"); // tests of RTSP set one; the default 5544 would clash between nodes
        // durable state (ingest points, relays) of one test must not reach the next one's node through ./data
        all.putIfAbsent("data.dir", java.nio.file.Files.createTempDirectory("cascade-test-data").toString());
        return all;
    }

    /**
     * Settings of one member of a loopback test cluster: its name and roles, its RTMP port, its own cluster port,
     * the members it joins ("" for the first), and any other settings as key, value pairs. HTTP, RTSP and API are off.
     */
    static java.util.Map<String, String> member(String cluster, String node, String roles, int rtmpPort,
                                                int clusterPort, String members, String... extra) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("roles", roles);
        m.put("node.name", node);
        m.put("bind.host", "127.0.0.1");
        m.put("rtmp.port", String.valueOf(rtmpPort));
        m.put("http.port", "0");
        m.put("rtsp.port", "0");
        m.put("api.port", "0");
        m.put("cluster.name", cluster);
        m.put("cluster.host", "127.0.0.1");
        m.put("cluster.port", String.valueOf(clusterPort));
        if (!members.isEmpty()) {
            m.put("cluster.members", members);
        }
        for (int i = 0; i + 1 < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        return m;
    }

    /**
     * A started node of its own (every role, loopback, its own one-member cluster) on these RTMP and HTTP ports,
     * the API off unless {@code extra} (key, value pairs) sets it.
     */
    static CascadeNode startSingle(String node, int rtmpPort, int httpPort, String... extra) throws Exception {
        java.util.Map<String, String> m = new java.util.HashMap<>(java.util.Map.of("node.name", node,
                "bind.host", "127.0.0.1", "rtmp.port", String.valueOf(rtmpPort), "http.port", String.valueOf(httpPort),
                "api.port", "0"));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        CascadeNode started = new CascadeNode(NodeConfig.of(isolated(m)));
        // the node runs on a Vert.x of its own, not a test's: the test thread waits, bounded, for its start
        started.start().await(30, java.util.concurrent.TimeUnit.SECONDS);
        return started;
    }

    /** The same settings as command-line flags, for a node in a JVM of its own. */
    static String[] flags(java.util.Map<String, String> settings) {
        return settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    /** A node in a JVM of its own (so a test can kill or freeze it), started with these flags. */
    static List<String> nodeProcess(String... flags) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), CascadeNode.class.getName()));
        cmd.addAll(List.of(flags));
        return cmd;
    }

    static String rtmpUrl(int port, String stream) {
        return "rtmp://127.0.0.1:" + port + "/live/" + stream;
    }

    /** ffmpeg encoding a synthetic H.264/AAC stream in real time (1 s GOP) and publishing it, for at most maxSeconds. */
    static List<String> ffmpegPublish(String url, int maxSeconds) {
        return List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", String.valueOf(maxSeconds),
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
                "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                "-c:a", "aac", "-b:a", "64k", "-f", "flv", url);
    }

    /** ffmpeg playing and decoding, one framecrc line per decoded frame ("0," video, "1," audio) on stdout. */
    static List<String> ffmpegDecode(String url, int seconds) {
        return List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-i", url,
                "-t", String.valueOf(seconds), "-map", "0:v", "-map", "0:a", "-f", "framecrc", "-");
    }

    /**
     * Waits (bounded, 20 s) until the API on {@code apiPort} lists the stream ({@code live}) or no longer does; the
     * failure names the publisher's state and the last listing.
     */
    static void awaitLive(int apiPort, String stream, boolean live, ExternalProcess publisher) throws Exception {
        io.cascade.testing.Await.until(java.time.Duration.ofSeconds(20),
                () -> Http.getText("http://127.0.0.1:" + apiPort + "/api/listStreams").body(),
                streams -> streams.contains("\"name\":\"" + stream + "\"") == live,
                streams -> stream + " never became " + (live ? "live" : "gone") + ": "
                        + (publisher == null ? "" : publisher.describe()) + "\n" + streams);
    }

    /**
     * Plays with {@code command} (a decoder writing framecrc lines: "0," video, "1," audio) and checks that the
     * frames of {@code seconds} of 25 fps video and 44.1 kHz AAC (43 a second) were decoded, with slack for the start.
     */
    static void assertDecodes(String what, List<String> command, int seconds) throws Exception {
        ExternalProcess play = ExternalProcess.run("play-" + what, 40, command);
        org.junit.jupiter.api.Assertions.assertEquals(0, play.exitCode(), what + ": " + play.describe());
        long video = countLines(play.stdout(), "0,");
        long audio = countLines(play.stdout(), "1,");
        org.junit.jupiter.api.Assertions.assertTrue(video >= seconds * 25L * 3 / 4,
                what + ": video frames decoded: " + video);
        org.junit.jupiter.api.Assertions.assertTrue(audio >= seconds * 43L * 3 / 4,
                what + ": audio frames decoded: " + audio);
    }

    /** The headers of a WebSocket upgrade request (RFC 6455's sample key), for clients written on raw sockets. */
    static final String WS_UPGRADE_HEADERS = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    /**
     * 4 s of 720p25 H.264 at {@code mbps} Mbit/s (noise, so the encoder has to spend the bits: no filler that an
     * ingest drops) with AAC, for {@code ffmpeg -re -stream_loop -1 -c copy}: made once per test in its own folder.
     */
    static java.nio.file.Path noiseClip(java.nio.file.Path dir, int mbps) throws Exception {
        java.nio.file.Path clip = dir.resolve(mbps + "mbit.flv");
        String rate = mbps + "M";
        ExternalProcess make = ExternalProcess.run("make-" + mbps + "mbit-clip", 90, List.of("ffmpeg", "-hide_banner",
                "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25,noise=alls=30:allf=t",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "4",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "50", "-keyint_min", "50",
                "-sc_threshold", "0", "-b:v", rate, "-maxrate", rate, "-bufsize", (mbps / 2) + "M",
                "-c:a", "aac", "-b:a", "128k", "-f", "flv", clip.toString()));
        org.junit.jupiter.api.Assertions.assertEquals(0, make.exitCode(), make.describe());
        long bitsPerSecond = java.nio.file.Files.size(clip) * 8 / 4;
        org.junit.jupiter.api.Assertions.assertTrue(bitsPerSecond > mbps * 750_000L,
                "the clip has " + bitsPerSecond + " bit/s, not about " + mbps + " Mbit/s");
        return clip;
    }

    /** ffmpeg publishing {@code clip} over and over in real time, copied as it is. */
    static List<String> ffmpegPublishClip(java.nio.file.Path clip, String url, int maxSeconds) {
        return List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1",
                "-i", clip.toString(), "-t", String.valueOf(maxSeconds), "-c", "copy", "-f", "flv", url);
    }

    static long countLines(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).count();
    }

    /** One DESCRIBE on a connection of its own, with this Authorization header (or none), on 127.0.0.1:{@code rtsp}: the whole answer. */
    static String rtspDescribe(int rtsp, String stream, String authorization) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", rtsp)) {
            s.setSoTimeout(10_000);
            java.io.OutputStream out = s.getOutputStream();
            out.write(("DESCRIBE rtsp://127.0.0.1:" + rtsp + "/" + stream + " RTSP/1.0\r\nCSeq: 1\r\n"
                    + "Accept: application/sdp\r\n" + (authorization == null ? "" : "Authorization: " + authorization
                    + "\r\n") + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            java.io.InputStream in = s.getInputStream();
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                answer.write(buffer, 0, n);
                String text = answer.toString(java.nio.charset.StandardCharsets.UTF_8);
                int end = text.indexOf("\r\n\r\n");
                if (end > 0 && (!text.contains("Content-Length: ") || text.length() >= end + 4 + Integer.parseInt(
                        text.replaceAll("(?s).*Content-Length: (\\d+).*", "$1")))) {
                    return text;
                }
            }
            return answer.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
