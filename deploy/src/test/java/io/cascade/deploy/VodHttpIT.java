package io.cascade.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HLS and DASH of a file on demand, read by ffmpeg's own HLS and DASH demuxers: every frame of the file and its
 * whole duration come through the CMAF playlists (video and audio), the MPEG-TS playlist and the static MPD; the
 * playlists are VOD playlists that end, with segments that start at keyframes; a live stream's routes still work
 * beside them; and names that lead out of the folder are 404s that read nothing.
 */
@Tag("interop")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class VodHttpIT {
    private static final int CLIP_SECONDS = 16;
    private static final double DURATION_SLACK_SECONDS = 0.5;
    private static final int BROWSER_SECONDS = 6;
    private static CascadeNode node;
    private static int http;
    private static int rtmp;
    private static Path data;
    private static VodMedia.Clip clip;

    @BeforeAll
    static void start() throws Exception {
        clip = VodMedia.dataFolder("cascade-vod-http", CLIP_SECONDS);
        data = clip.path().getParent().getParent();
        http = Clients.freePort();
        rtmp = Clients.freePort();
        node = Clients.startSingle("vod-http", rtmp, http, "data.dir", data.toString());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
    }

    static String url(String path) {
        return "http://127.0.0.1:" + http + path;
    }

    private static Map<String, VodMedia.Received> read(String path) throws Exception {
        ExternalProcess p = ExternalProcess.run("vod-read", 90, VodMedia.framecrcOf(url(path)));
        assertEquals(0, p.exitCode(), path + ": " + p.describe());
        return VodMedia.framecrc(p.stdout());
    }

    private static void assertWhole(String what, VodMedia.Received r, long packets) {
        assertTrue(r != null, what + ": nothing received");
        assertEquals(packets, r.packets(), what + ": packets received vs ffprobe's count of the file");
        assertTrue(Math.abs(r.seconds() - clip.seconds()) <= DURATION_SLACK_SECONDS,
                what + ": " + r.seconds() + " s received, the file has " + clip.seconds() + " s");
    }

    @Test
    void ffmpegReadsEveryFrameThroughTheCmafPlaylists() throws Exception {
        Map<String, VodMedia.Received> video = read("/vod/clip.mp4/v/index.m3u8");
        assertWhole("HLS video", video.get("video"), clip.videoPackets());
        Map<String, VodMedia.Received> audio = read("/vod/clip.mp4/a/index.m3u8");
        assertWhole("HLS audio", audio.get("audio"), clip.audioPackets());
        // the multivariant playlist: ffprobe takes the file's whole duration from it
        ExternalProcess probe = ExternalProcess.run("vod-probe", 60, List.of("ffprobe", "-v", "error",
                "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1",
                url("/vod/clip.mp4/index.m3u8")));
        assertEquals(0, probe.exitCode(), probe.describe());
        double seconds = Double.parseDouble(probe.stdout().trim());
        assertTrue(Math.abs(seconds - clip.seconds()) <= DURATION_SLACK_SECONDS,
                "multivariant: ffprobe says " + seconds + " s, the file has " + clip.seconds());
    }

    @Test
    void ffmpegReadsEveryFrameThroughTheTsPlaylist() throws Exception {
        Map<String, VodMedia.Received> ts = read("/vod/clip.mp4/ts/index.m3u8");
        assertWhole("HLS TS video", ts.get("video"), clip.videoPackets());
        assertWhole("HLS TS audio", ts.get("audio"), clip.audioPackets());
    }

    @Test
    void ffmpegReadsEveryFrameThroughTheStaticMpd() throws Exception {
        String mpd = Http.text(Http.get(url("/vod/clip.mp4/index.mpd")));
        assertTrue(mpd.contains("type=\"static\"") && mpd.contains("mediaPresentationDuration"), mpd);
        Map<String, VodMedia.Received> dash = read("/vod/clip.mp4/index.mpd");
        // ffmpeg's DASH demuxer returns end of file as soon as the stream it reads next (the one behind in time)
        // ends, so the last packets of the other stream, those past the first one's end, never come out: one video
        // frame here. So it reads the whole duration, and every frame is counted in the segments the MPD lists.
        assertTrue(dash.get("video").packets() >= clip.videoPackets() - 1, "DASH video: " + dash.get("video"));
        assertTrue(dash.get("audio").packets() >= clip.audioPackets() - 1, "DASH audio: " + dash.get("audio"));
        for (String track : List.of("v", "a")) {
            Matcher s = Pattern.compile("initialization=\"" + track + "/init-0.mp4\".*?<SegmentTimeline>(.*?)"
                    + "</SegmentTimeline>", Pattern.DOTALL).matcher(mpd);
            assertTrue(s.find(), track + " in " + mpd);
            int segments = 0;
            Matcher entry = Pattern.compile("<S[^>]*?(?: r=\"(\\d+)\")?/>").matcher(s.group(1));
            while (entry.find()) {
                segments += 1 + (entry.group(1) == null ? 0 : Integer.parseInt(entry.group(1)));
            }
            Path joined = data.resolve("dash-" + track + ".mp4");
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            bytes.write(Http.get(url("/vod/clip.mp4/" + track + "/init-0.mp4")).body());
            for (int n = 0; n < segments; n++) {
                HttpResponse<byte[]> segment = Http.get(url("/vod/clip.mp4/" + track + "/" + n + ".m4s"));
                assertEquals(200, segment.statusCode(), track + "/" + n + ".m4s");
                bytes.write(segment.body());
            }
            Files.write(joined, bytes.toByteArray());
            ExternalProcess count = ExternalProcess.run("vod-dash-count", 60, List.of("ffprobe", "-v", "error",
                    "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", joined.toString()));
            assertEquals(String.valueOf(track.equals("v") ? clip.videoPackets() : clip.audioPackets()),
                    count.stdout().trim(), "DASH " + track + ": packets in the " + segments + " segments the MPD lists");
        }
    }

    @Test
    void thePlaylistIsAVodPlaylistWhoseSegmentsStartAtKeyframes() throws Exception {
        String playlist = Http.text(Http.get(url("/vod/clip.mp4/v/index.m3u8")));
        assertTrue(playlist.contains("#EXT-X-PLAYLIST-TYPE:VOD") && playlist.contains("#EXT-X-ENDLIST")
                && playlist.contains("#EXT-X-MAP:URI=\"init-0.mp4\""), playlist);
        Matcher m = Pattern.compile("#EXTINF:([0-9.]+),\\n(\\d+)\\.m4s").matcher(playlist);
        List<Double> durations = new ArrayList<>();
        double total = 0;
        while (m.find()) {
            double d = Double.parseDouble(m.group(1));
            durations.add(d);
            total += d;
            // each segment alone: its first video frame is a keyframe ffmpeg decodes without anything before it
            String segment = "/vod/clip.mp4/v/" + m.group(2) + ".m4s";
            byte[] init = Http.get(url("/vod/clip.mp4/v/init-0.mp4")).body();
            byte[] media = Http.get(url(segment)).body();
            Path alone = data.resolve("segment-" + m.group(2) + ".mp4");
            byte[] both = new byte[init.length + media.length];
            System.arraycopy(init, 0, both, 0, init.length);
            System.arraycopy(media, 0, both, init.length, media.length);
            Files.write(alone, both);
            ExternalProcess first = ExternalProcess.run("vod-first-frame", 30, List.of("ffprobe", "-v", "error",
                    "-select_streams", "v", "-show_entries", "frame=key_frame", "-read_intervals", "%+#1",
                    "-of", "csv=p=0", alone.toString()));
            assertEquals("1", first.stdout().trim().replace(",", ""), segment + " starts with a keyframe: " + first.describe());
        }
        // 4 s target, a keyframe every second: 4 s segments, the last what is left
        assertEquals(CLIP_SECONDS / 4, durations.size(), "segments: " + durations);
        for (int i = 0; i < durations.size() - 1; i++) {
            assertEquals(4.0, durations.get(i), 0.001, "segment " + i + " of " + durations);
        }
        assertTrue(Math.abs(total - clip.seconds()) <= DURATION_SLACK_SECONDS, "EXTINF sum " + total);
    }

    @Test
    void segmentsAnswerByteRangesAndHead() throws Exception {
        HttpResponse<byte[]> whole = Http.get(url("/vod/clip.mp4/v/1.m4s"));
        assertEquals(200, whole.statusCode());
        HttpResponse<byte[]> part = Http.get(url("/vod/clip.mp4/v/1.m4s"), "Range", "bytes=100-199");
        assertEquals(206, part.statusCode());
        assertEquals(100, part.body().length);
        assertEquals(whole.body()[150], part.body()[50]);
        assertEquals(404, Http.get(url("/vod/clip.mp4/v/99.m4s")).statusCode(), "past the last segment");
    }

    @Test
    void namesLeadingOutOfTheFolderAreNotFound() throws Exception {
        for (String target : List.of("/vod/../secret/outside.mp4/index.m3u8", "/vod/%2e%2e/secret/outside.mp4/index.m3u8",
                "/vod/..%2fsecret/outside.mp4/index.m3u8", "/vod/link.mp4/index.m3u8", "/vod/link.mp4/v/0.m4s",
                "/vod/missing.mp4/index.m3u8", "/vod//etc/passwd/index.m3u8", "/vod/clip.mp4/../../secret/outside.mp4/index.mpd")) {
            String status = Http.rawStatus(http, target);
            assertTrue(status.startsWith("HTTP/1.1 404") || status.startsWith("HTTP/1.1 400"),
                    target + ": " + status);
        }
    }

    @Test
    void aFileThatIsNotMediaIsRefusedWithoutAPath() throws Exception {
        Files.writeString(data.resolve("vod/notes.mp4"), "not a movie, just some text long enough to be sniffed");
        HttpResponse<byte[]> r = Http.get(url("/vod/notes.mp4/index.m3u8"));
        assertEquals(415, r.statusCode(), Http.text(r));
        assertTrue(!Http.text(r).contains(data.toString()), Http.text(r));
    }

    /** hls.js and dash.js in headless Chromium play the file for 6 s (of 16) at the clip's size. */
    @Test
    void browsersPlayTheFilesHlsAndDash() throws Exception {
        BrowserPlayer.requireAvailable();
        for (String player : List.of("hls", "dash")) {
            String manifest = url(player.equals("hls") ? "/vod/clip.mp4/index.m3u8" : "/vod/clip.mp4/index.mpd");
            BrowserPlayer.Result r = BrowserPlayer.play(player, manifest, BROWSER_SECONDS);
            assertTrue(r.ok(), player + ": " + r.describe());
            assertTrue(r.advanced() >= BROWSER_SECONDS * 0.8, player + ": " + r.describe());
            assertEquals(320, r.videoWidth(), player + ": " + r.describe());
        }
    }

    @Test
    void liveStreamRoutesStillWorkBesideTheFiles() throws Exception {
        ExternalProcess publisher = ExternalProcess.start("vod-live-publish",
                Clients.ffmpegPublish(Clients.rtmpUrl(rtmp, "vodlive"), 60));
        try {
            HlsDeliveryIT.awaitSegments(url("/vodlive/v/index.m3u8"), 2, 30_000);
            assertEquals(200, Http.get(url("/vodlive/index.m3u8")).statusCode());
            assertEquals(200, Http.get(url("/vodlive/index.mpd")).statusCode());
        } finally {
            publisher.close();
        }
    }
}
