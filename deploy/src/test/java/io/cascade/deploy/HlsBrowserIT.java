package io.cascade.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static io.cascade.deploy.HlsDeliveryIT.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * hls.js and dash.js in headless Chromium, on a page from another origin, play what one node serves: the CMAF HLS
 * multivariant playlist, the MPEG-TS playlist, the DASH MPD and an audio-only stream, each for 10 s without a fatal
 * error.
 */
@Tag("interop")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HlsBrowserIT {
    private static final int SECONDS = 10;
    private static CascadeNode node;
    private static int rtmp;
    private static int http;
    private static ExternalProcess publisher;
    private static ExternalProcess audioPublisher;

    @BeforeAll
    static void start() throws Exception {
        BrowserPlayer.requireAvailable();
        rtmp = Clients.freePort();
        http = Clients.freePort();
        node = Clients.startSingle("browser", rtmp, http);
        publisher = ExternalProcess.start("publish", ffmpegPublish(rtmpUrl(rtmp, "web"), 240));
        audioPublisher = ExternalProcess.start("publish-audio",
                HlsDeliveryIT.ffmpegPublishAudioOnly(rtmpUrl(rtmp, "web-audio"), 240));
        HlsDeliveryIT.awaitSegments(url(http, "web", "v/index.m3u8"), 3, 30_000);
        HlsDeliveryIT.awaitSegments(url(http, "web-audio", "index.m3u8"), 3, 30_000);
    }

    @AfterAll
    static void stop() {
        if (publisher != null) {
            publisher.close();
        }
        if (audioPublisher != null) {
            audioPublisher.close();
        }
        node.stop();
    }

    private static void assertPlays(BrowserPlayer.Result r) {
        assertTrue(r.ok(), r.describe() + "\n" + publisher.describe());
        assertTrue(r.advanced() >= SECONDS * 0.8, r.describe());
    }

    @Test
    void hlsJsPlaysCmaf() throws Exception {
        BrowserPlayer.Result r = BrowserPlayer.play("hls", url(http, "web", "index.m3u8"), SECONDS);
        assertPlays(r);
        assertEquals(320, r.videoWidth(), r.describe());
    }

    @Test
    void hlsJsPlaysMpegTs() throws Exception {
        assertPlays(BrowserPlayer.play("hls", url(http, "web", "ts/index.m3u8"), SECONDS));
    }

    @Test
    void dashJsPlaysTheMpd() throws Exception {
        BrowserPlayer.Result r = BrowserPlayer.play("dash", url(http, "web", "index.mpd"), SECONDS);
        assertPlays(r);
        assertEquals(240, r.videoHeight(), r.describe());
    }

    @Test
    void hlsJsPlaysAudioOnly() throws Exception {
        assertPlays(BrowserPlayer.play("hls", url(http, "web-audio", "index.m3u8"), SECONDS, "--audio-only"));
    }
}
