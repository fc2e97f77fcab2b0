package io.cascade.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The real clients interop tests drive (ffmpeg, rtmpdump, GStreamer, Chromium, node, openssl, python3, script). A test
 * never skips because one is missing: it fails, naming the Debian package that provides it. {@code deploy/bin/test}
 * (what CI runs) installs every one of them first, and fails the build if any test was skipped all the same (with
 * {@code CI=true}).
 */
public final class RealClients {
    /** The Debian package of each program, for the failure message. */
    private static final Map<String, String> PACKAGES = Map.ofEntries(Map.entry("ffmpeg", "ffmpeg"),
            Map.entry("ffprobe", "ffmpeg"), Map.entry("rtmpdump", "rtmpdump"),
            Map.entry("gst-launch-1.0", "gstreamer1.0-tools"), Map.entry("gst-inspect-1.0", "gstreamer1.0-tools"),
            Map.entry("chromium", "chromium"), Map.entry("node", "nodejs"), Map.entry("openssl", "openssl"),
            Map.entry("ip", "iproute2"), Map.entry("iptables", "iptables"), Map.entry("nginx", "libnginx-mod-rtmp"),
            Map.entry("python3", "python3"), Map.entry("script", "bsdutils"),
            Map.entry("/usr/bin/python3", "python3, with python3-gi and gir1.2-gst-rtsp-server-1.0"));

    private RealClients() {
    }

    /** Whether the program is an executable on PATH (or an absolute path to one). */
    public static boolean installed(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Fails the calling test, never skips it, when the program is missing. */
    public static void require(String program) {
        if (!installed(program)) {
            String pkg = PACKAGES.get(program);
            throw new AssertionError(program + " is not installed" + (pkg == null ? "" : " (Debian package " + pkg + ")")
                    + ": interop tests fail rather than skip without their clients; deploy/bin/test installs them all");
        }
    }
}
