package io.cascade.deploy;

import io.cascade.cluster.StreamRecord;
import io.cascade.deploy.NodeConfig.Role;
import io.cascade.metrics.NodeCounters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The sampled series: per-stream viewers and bitrate under the cap, the (other) sum, edge streams by protocol. */
class NodeMetricsTest {
    private static final long SECOND = 1_000_000_000L;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final NodeCounters counters = new NodeCounters();
    private NodeMetrics metrics;

    @BeforeEach
    void bind() {
        counters.protocol("rtmp"); // what the node registers for each protocol it speaks, before binding
        metrics = new NodeMetrics(registry, counters, 2);
        metrics.bindNode("n1", EnumSet.of(Role.INGEST, Role.EDGE), () -> 1);
    }

    private PromText scrape() {
        return new PromText(registry.scrape());
    }

    private static StreamRecord live(String name) {
        return new StreamRecord(name, "n1", "rtmp", 0);
    }

    private LongAdder ingest(String name) {
        LongAdder bytes = new LongAdder();
        counters.ingestStreamBytes.put(name, bytes);
        return bytes;
    }

    @Test
    void theApiGetsEachIngestedStreamsRateOnceTwoSamplesMeasureIt() {
        LongAdder a = ingest("a");
        metrics.sample(List.of(live("a")), Map.of(), 0);
        assertNull(metrics.ingestBytesPerSecond("a"), "one sample is no rate: not a 0 to show");
        a.add(50_000);
        metrics.sample(List.of(live("a")), Map.of(), 2 * SECOND);
        assertEquals(25_000.0, metrics.ingestBytesPerSecond("a"));
        assertNull(metrics.ingestBytesPerSecond("unknown"));
        counters.ingestStreamBytes.remove("a");
        metrics.sample(List.of(), Map.of(), 3 * SECOND);
        assertNull(metrics.ingestBytesPerSecond("a"), "a stream that stopped has no rate");
    }

    @Test
    void theBusiestStreamsGetTheirOwnSeriesAndTheRestAreSummedInOther() {
        LongAdder a = ingest("a");
        LongAdder b = ingest("b");
        LongAdder c = ingest("c");
        List<StreamRecord> streams = List.of(live("a"), live("b"), live("c"));
        Map<String, Integer> viewers = Map.of("a", 1, "b", 0, "c", 5, "ghost", 3);
        metrics.sample(streams, viewers, 0);
        assertEquals(Set.of("a", "c"), metrics.streamsWithSeries(), "cap 2: the two with most viewers");

        a.add(1_000);
        b.add(2_000);
        c.add(3_000);
        metrics.sample(streams, viewers, SECOND);
        PromText m = scrape();
        assertEquals(5.0, m.value("cascade_stream_viewers", "stream", "c"));
        assertEquals(1.0, m.value("cascade_stream_viewers", "stream", "a"));
        assertEquals(3_000.0, m.value("cascade_stream_ingest_bytes_per_second", "stream", "c"));
        assertEquals(1_000.0, m.value("cascade_stream_ingest_bytes_per_second", "stream", "a"));
        assertNull(m.value("cascade_stream_viewers", "stream", "b"));
        assertNull(m.value("cascade_stream_viewers", "stream", "ghost"), "a name nobody publishes gets no series");
        assertEquals(0.0, m.value("cascade_stream_viewers", "stream", NodeMetrics.OTHER_STREAMS));
        assertEquals(2_000.0, m.value("cascade_stream_ingest_bytes_per_second", "stream", NodeMetrics.OTHER_STREAMS));
        assertEquals(3.0, m.value("cascade_streams", "role", "edge", "protocol", "rtmp"), "live streams with a hub");

        // c stops: its series go, and b takes the free slot
        counters.ingestStreamBytes.remove("c");
        metrics.sample(List.of(live("a"), live("b")), Map.of("a", 1, "b", 0), 2 * SECOND);
        m = scrape();
        assertEquals(Set.of("a", "b"), metrics.streamsWithSeries());
        assertNull(m.value("cascade_stream_viewers", "stream", "c"));
        assertNull(m.value("cascade_stream_ingest_bytes_per_second", "stream", "c"));
        assertEquals(0.0, m.value("cascade_stream_ingest_bytes_per_second", "stream", NodeMetrics.OTHER_STREAMS));
        assertEquals(2.0, m.value("cascade_streams", "role", "edge", "protocol", "rtmp"));
    }

    @Test
    void theBitrateIsAveragedOverAWindowAndRestartsOnRepublish() {
        LongAdder bytes = ingest("s");
        List<StreamRecord> streams = List.of(live("s"));
        for (int i = 0; i <= NodeMetrics.BITRATE_WINDOW_SAMPLES + 3; i++) {
            metrics.sample(streams, Map.of(), i * SECOND);
            bytes.add(i < 3 ? 10_000 : 20_000); // the rate doubles after 3 s
        }
        // the window holds only the last BITRATE_WINDOW_SAMPLES seconds, all at the higher rate
        assertEquals(20_000.0, scrape().value("cascade_stream_ingest_bytes_per_second", "stream", "s"));

        ingest("s"); // a republish: a new counter, and no rate until a second sample
        metrics.sample(streams, Map.of(), 100 * SECOND);
        assertEquals(0.0, scrape().value("cascade_stream_ingest_bytes_per_second", "stream", "s"));
    }

    @Test
    void aCapOfZeroPutsEveryStreamInOther() {
        NodeMetrics none = new NodeMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), counters, 0);
        ingest("s");
        none.sample(List.of(live("s")), Map.of("s", 4), 0);
        assertEquals(Set.of(), none.streamsWithSeries());
        assertThrows(IllegalArgumentException.class, () -> new NodeMetrics(registry, counters, -1));
    }

    @Test
    void nodeWideSeriesReadTheCountersAtScrapeTime() {
        counters.protocol("rtmp").publishers.increment();
        counters.protocol("rtmp").bytesIn.add(1234);
        counters.framesDroppedSlowViewer.add(7);
        counters.eventBusPeerBytesSent.add(99);
        PromText m = scrape();
        assertEquals(1.0, m.value("cascade_streams", "role", "ingest", "protocol", "rtmp"));
        assertEquals(1234.0, m.value("cascade_ingest_bytes_total", "protocol", "rtmp"));
        assertEquals(7.0, m.value("cascade_frames_dropped_total", "reason", "slow_viewer"));
        assertEquals(99.0, m.value("cascade_eventbus_peer_bytes_sent_total"));
        assertEquals(1.0, m.value("cascade_node_role", "role", "edge"));
        assertEquals(0.0, m.value("cascade_node_role", "role", "origin"));
        assertEquals(1.0, m.value("cascade_node_info", "node", "n1", "roles", "edge,ingest"));
    }
}
