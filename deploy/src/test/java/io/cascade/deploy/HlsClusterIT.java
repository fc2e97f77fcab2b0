package io.cascade.deploy;

import io.cascade.testing.Await;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static io.cascade.deploy.HlsDeliveryIT.segmentNumbers;
import static io.cascade.deploy.HlsDeliveryIT.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An ingest node and two edge-only nodes of one cluster: both edges serve the same playlists and byte-identical
 * segments and keys for the same stream, although the second edge starts packaging it seconds after the first; and
 * an edge that never served the stream lists segments at once (they come from the ingest node's recent segments).
 */
@Tag("cluster")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HlsClusterIT {
    private static final String STREAM = "same-everywhere";
    private static final long SEGMENT_MS = 2_000;

    @Test
    void everyEdgeServesTheSameBytes() throws Exception {
        int ingestRtmp = Clients.freePort();
        int ingestCluster = Clients.freePort();
        int http1 = Clients.freePort();
        int http2 = Clients.freePort();
        String name = "hls-cluster-" + ingestCluster;
        String members = "127.0.0.1:" + ingestCluster;
        CascadeNode ingest = new CascadeNode(NodeConfig.of(Clients.member(name, "ingest-1", "ingest,origin",
                ingestRtmp, ingestCluster, "", "segment.target.ms", String.valueOf(SEGMENT_MS))));
        CascadeNode edge1 = new CascadeNode(NodeConfig.of(Clients.member(name, "edge-1", "edge", Clients.freePort(),
                Clients.freePort(), members, "http.port", String.valueOf(http1))));
        CascadeNode edge2 = new CascadeNode(NodeConfig.of(Clients.member(name, "edge-2", "edge", Clients.freePort(),
                Clients.freePort(), members, "http.port", String.valueOf(http2))));
        try {
            for (CascadeNode n : List.of(ingest, edge1, edge2)) {
                n.start().await(60, TimeUnit.SECONDS);
            }
            try (ExternalProcess pub = ExternalProcess.start("publish", ffmpegPublish(rtmpUrl(ingestRtmp, STREAM), 120))) {
                HlsDeliveryIT.awaitSegments(url(http1, STREAM, "v/index.m3u8"), 4, 30_000);
                // the first edge has packaged the stream for a while; the second has never seen it
                long asked = System.nanoTime();
                HttpResponse<byte[]> first = Http.get(url(http2, STREAM, "v/index.m3u8"));
                long startMs = (System.nanoTime() - asked) / 1_000_000;
                assertEquals(200, first.statusCode());
                System.out.println("first playlist on an edge that never served the stream: " + startMs + " ms, "
                        + segmentNumbers(Http.text(first)).size() + " segments listed");
                assertTrue(segmentNumbers(Http.text(first)).size() >= 3,
                        "a new edge lists the ingest node's recent segments at once:\n" + Http.text(first));
                assertTrue(startMs < 2 * SEGMENT_MS, "first playlist on a new edge took " + startMs + " ms");

                for (String playlist : List.of("index.m3u8", "v/index.m3u8", "a/index.m3u8", "ts/index.m3u8",
                        "aes/index.m3u8")) {
                    String[] both = samePlaylist(url(http1, STREAM, playlist), url(http2, STREAM, playlist));
                    assertEquals(both[0], both[1], playlist);
                    for (String file : files(playlist, both[0])) {
                        byte[] a = Http.get(url(http1, STREAM, file)).body();
                        byte[] b = Http.get(url(http2, STREAM, file)).body();
                        assertTrue(a.length > 0, file);
                        assertArrayEquals(a, b, file + " differs between the edges");
                    }
                }
                for (int key = 0; key < 5; key++) {
                    assertArrayEquals(Http.get(url(http1, STREAM, "aes/key-" + key + ".key")).body(),
                            Http.get(url(http2, STREAM, "aes/key-" + key + ".key")).body(), "key " + key);
                }
                // the MPD names the clock of the host it was asked from: the same through a load balancer
                String[] mpd = samePlaylist(url(http1, STREAM, "index.mpd"), url(http2, STREAM, "index.mpd"));
                assertTrue(mpd[0].contains("type=\"dynamic\""), mpd[0]);
                assertEquals(mpd[0].replace(":" + http1 + "/time", ""), mpd[1].replace(":" + http2 + "/time", ""));
            }
        } finally {
            edge2.stop();
            edge1.stop();
            ingest.stop();
        }
    }

    /**
     * Both edges' copies of a playlist, fetched until they agree (a segment may complete between two fetches); the
     * one thing that differs by design, the session a multivariant playlist hands each player, left out.
     */
    private static String[] samePlaylist(String url1, String url2) throws Exception {
        return Await.until("the same playlist from both edges", Duration.ofSeconds(3),
                () -> List.of(withoutSession(Http.text(Http.get(url1))), withoutSession(Http.text(Http.get(url2)))),
                both -> both.get(0).replaceAll(":\\d+/time", "").equals(both.get(1).replaceAll(":\\d+/time", "")))
                .toArray(String[]::new);
    }

    private static String withoutSession(String playlist) {
        return playlist.replaceAll("\\?cascade_session=[0-9a-f]{16}", "");
    }

    /** The segment, init and key files a playlist names, relative to the stream. */
    private static List<String> files(String playlist, String text) {
        String dir = playlist.contains("/") ? playlist.substring(0, playlist.indexOf('/') + 1) : "";
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#EXT-X-MAP:URI=\"")) {
                out.add(dir + line.substring(16, line.length() - 1));
            } else if (!line.isEmpty() && !line.startsWith("#") && !line.endsWith(".m3u8")) {
                out.add(dir + line);
            }
        }
        return out;
    }
}
