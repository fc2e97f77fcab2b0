package io.cascade.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The media of the VOD tests, made by ffmpeg at test time (nothing committed): a clip of testsrc2 and a sine,
 * H.264 with a keyframe every second (-g 25 at 25 fps) and AAC, with its packet counts as ffprobe reads them; and
 * what a client's framecrc output says it received.
 */
final class VodMedia {
    static final int FPS = 25;
    static final int GOP_FRAMES = 25;
    static final double FRAME_SECONDS = 1.0 / FPS;

    /** A clip and what ffprobe counts in it. */
    record Clip(Path path, long videoPackets, long audioPackets, double seconds) {
        /** A stream's own length: its frames at 25 fps, or AAC frames of 1024 samples at 44.1 kHz. */
        double streamSeconds(String type) {
            return type.equals("video") ? videoPackets / (double) FPS : audioPackets * 1024 / 44_100.0;
        }
    }

    private VodMedia() {
    }

    /** {@code seconds} of 320x240 25 fps H.264 (B-frames, a keyframe a second) and 44.1 kHz AAC, as MP4 (faststart). */
    static Clip make(Path file, int seconds) throws Exception {
        Files.createDirectories(file.getParent());
        ExternalProcess make = ExternalProcess.run("make-vod-clip", 120, List.of("ffmpeg", "-hide_banner", "-nostdin",
                "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=" + FPS, "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=44100", "-t", String.valueOf(seconds), "-c:v", "libx264",
                "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", String.valueOf(GOP_FRAMES), "-keyint_min",
                String.valueOf(GOP_FRAMES), "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k",
                "-movflags", "+faststart", file.toString()));
        assertEquals(0, make.exitCode(), make.describe());
        ExternalProcess probe = ExternalProcess.run("probe-vod-clip", 60, List.of("ffprobe", "-v", "error",
                "-count_packets", "-show_entries", "stream=codec_type,nb_read_packets:format=duration",
                "-of", "default=noprint_wrappers=1", file.toString()));
        assertEquals(0, probe.exitCode(), probe.describe());
        long video = 0;
        long audio = 0;
        double duration = 0;
        String type = null;
        for (String line : probe.stdout().lines().toList()) {
            if (line.startsWith("codec_type=")) {
                type = line.substring(11);
            } else if (line.startsWith("nb_read_packets=")) {
                long n = Long.parseLong(line.substring(16));
                if ("video".equals(type)) {
                    video = n;
                } else if ("audio".equals(type)) {
                    audio = n;
                }
            } else if (line.startsWith("duration=")) {
                duration = Double.parseDouble(line.substring(9));
            }
        }
        return new Clip(file, video, audio, duration);
    }

    /**
     * A node's data folder for the VOD tests: {@code vod/clip.mp4} of {@code seconds}, and a file outside the VOD
     * folder ({@code secret/outside.mp4}) with a link to it inside ({@code vod/link.mp4}): neither may be served.
     */
    static Clip dataFolder(String prefix, int seconds) throws Exception {
        Path data = Files.createTempDirectory(prefix);
        Clip clip = make(data.resolve("vod/clip.mp4"), seconds);
        make(data.resolve("secret/outside.mp4"), 2);
        Files.createSymbolicLink(data.resolve("vod/link.mp4"), data.resolve("secret/outside.mp4"));
        return clip;
    }

    /** One stream of a framecrc output: packets, and the span from the first pts to the last packet's end. */
    record Received(long packets, double firstSeconds, double endSeconds) {
        double seconds() {
            return endSeconds - firstSeconds;
        }
    }

    /**
     * What framecrc lines ({@code stream, dts, pts, duration, size, crc}, time bases in {@code #tb} lines) say of each
     * stream: video is the stream whose {@code #media_type} is video, and so on ("video", "audio").
     */
    static Map<String, Received> framecrc(String out) {
        Map<Integer, double[]> timeBase = new HashMap<>();
        Map<Integer, String> types = new HashMap<>();
        Map<Integer, long[]> counts = new HashMap<>();
        Map<Integer, double[]> spans = new HashMap<>();
        for (String line : out.lines().toList()) {
            if (line.startsWith("#tb ")) {
                String[] p = line.substring(4).split(":");
                String[] frac = p[1].trim().split("/");
                timeBase.put(Integer.parseInt(p[0].trim()),
                        new double[] {Double.parseDouble(frac[0]) / Double.parseDouble(frac[1])});
            } else if (line.startsWith("#media_type ")) {
                String[] p = line.substring(12).split(":");
                types.put(Integer.parseInt(p[0].trim()), p[1].trim());
            } else if (!line.startsWith("#") && !line.isBlank()) {
                String[] f = line.split(",");
                int stream = Integer.parseInt(f[0].trim());
                double tb = timeBase.getOrDefault(stream, new double[] {1})[0];
                long rawPts = Long.parseLong(f[2].trim());
                counts.computeIfAbsent(stream, s -> new long[1])[0]++;
                if (rawPts == Long.MIN_VALUE) {
                    continue; // no pts (ffmpeg's RTP reader leaves the first H.264 keyframe's unset): counted only
                }
                double pts = rawPts * tb;
                double end = pts + Long.parseLong(f[3].trim()) * tb;
                double[] span = spans.computeIfAbsent(stream, s -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
                span[0] = Math.min(span[0], pts);
                span[1] = Math.max(span[1], end);
            }
        }
        Map<String, Received> byType = new HashMap<>();
        counts.forEach((stream, n) -> byType.merge(types.getOrDefault(stream, "stream" + stream),
                new Received(n[0], spans.get(stream)[0], spans.get(stream)[1]),
                (a, b) -> new Received(a.packets() + b.packets(), Math.min(a.firstSeconds(), b.firstSeconds()),
                        Math.max(a.endSeconds(), b.endSeconds()))));
        return byType;
    }

    /** ffmpeg reading {@code url} to its end, copying every stream as framecrc lines. */
    static List<String> framecrcOf(String url, String... inputOptions) {
        List<String> cmd = new java.util.ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel",
                "error"));
        cmd.addAll(List.of(inputOptions));
        cmd.addAll(List.of("-i", url, "-map", "0", "-c", "copy", "-f", "framecrc", "-"));
        return cmd;
    }
}
