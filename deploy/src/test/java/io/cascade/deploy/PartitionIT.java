package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster split in two heals with one owner per stream. Three nodes in two network namespaces: n2 (ingest) and
 * n3 (edge) on side A, n1 (ingest) on side B, every node also serving viewers. A publisher on n2 is watched on all
 * three; the link between the sides then drops every packet. Side B loses the stream, and a second encoder
 * publishes the same name on n1, which B now accepts: each half has its own owner. When the link comes back, the
 * halves merge, the registry keeps n1's record (the owner whose id sorts first), n2 ends its publisher, and every
 * node serves n1's stream: the viewers that were playing, on their connections, and new ones.
 */
@Tag("cluster")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PartitionIT {
    private static final String STREAM = "split";
    private static final String TOKEN = "partition-test-token";
    /** Frame sizes that tell the two publishers apart in what a node serves. */
    private static final String SIZE_A = "320x240";
    private static final String SIZE_B = "480x270";
    /** Failure detection: max.no.heartbeat, checked once a heartbeat, and a busy two-core machine. */
    private static final long DETECTION_MS = (ClusterSetup.MAX_NO_HEARTBEAT_SECONDS + 2L) * 1000 + 10_000;
    /**
     * From the heal to the losing publisher's end: the merge check's period, the join and Hazelcast's merge, one
     * ownership check, and a busy machine.
     */
    private static final long HEAL_MS = ClusterSetup.MERGE_CHECK_SECONDS * 1000L * 3
            + io.cascade.ingest.Admission.OWNERSHIP_CHECK_MS + 15_000;
    /** From the loser's end until every node serves the winner's stream. */
    private static final long FOLLOW_MS = 10_000;

    @Test
    void aHealedPartitionKeepsOneOwnerPerStreamAndEveryNodeServesIt() throws Exception {
        try (SplitNetwork net = SplitNetwork.create()) {
            List<ExternalProcess> processes = new ArrayList<>();
            List<RtmpWatcher> watchers = new ArrayList<>();
            try {
                Node n2 = Node.start(net, processes, true, "n2", "ingest,origin,edge", 5701);
                n2.process.awaitOutput("cascade node n2 ready", 60);
                Node n3 = Node.start(net, processes, true, "n3", "origin,edge", 5702);
                Node n1 = Node.start(net, processes, false, "n1", "ingest,origin,edge", 5701);
                n3.process.awaitOutput("cascade node n3 ready", 60);
                n1.process.awaitOutput("cascade node n1 ready", 60);
                for (Node n : List.of(n1, n2, n3)) {
                    awaitMembers(n, 3);
                }

                ExternalProcess publisherA = ExternalProcess.start("publish-a", publish(n2, SIZE_A));
                processes.add(publisherA);
                awaitOwner(List.of(n1, n2, n3), "n2", publisherA);
                RtmpWatcher onB = RtmpWatcher.play(n1.host, n1.rtmp, STREAM, "viewer-n1");
                RtmpWatcher onA = RtmpWatcher.play(n3.host, n3.rtmp, STREAM, "viewer-n3");
                watchers.add(onB);
                watchers.add(onA);
                onB.awaitMedia(50, 30_000, publisherA);
                onA.awaitMedia(50, 30_000, publisherA);

                // the split: side B no longer hears of n2, and takes a second encoder of the same name
                long cut = System.nanoTime();
                net.cut();
                Await.until(Duration.ofMillis(DETECTION_MS), () -> owners(n1), List::isEmpty,
                        last -> "n1 still lists " + last + " as the owner after the cut");
                long detectedMs = (System.nanoTime() - cut) / 1_000_000;
                ExternalProcess publisherB = ExternalProcess.start("publish-b", publish(n1, SIZE_B));
                processes.add(publisherB);
                awaitOwner(List.of(n1), "n1", publisherB);
                assertEquals(List.of("n2"), owners(n2), "side A keeps its own owner");
                long acceptedOnB = System.nanoTime();
                onB.awaitMediaAfter(acceptedOnB, acceptedOnB + 10_000_000_000L, publisherB);
                assertEquals(SIZE_B, served(n1), "side B serves its own publisher");
                assertEquals(SIZE_A, served(n3), "side A serves its own publisher");

                // the heal: one owner, n1, and n2's publisher is ended
                long healed = System.nanoTime();
                net.heal();
                assertTrue(publisherA.exited(HEAL_MS / 1000), "n2's publisher still runs " + HEAL_MS
                        + " ms after the heal: " + publisherA.describe() + "; n2 lists " + owners(n2));
                long loserEnded = System.nanoTime();
                for (Node n : List.of(n1, n2, n3)) {
                    assertEquals(List.of("n1"), owners(n), n.name + " lists one owner of " + STREAM);
                }
                assertTrue(publisherB.isAlive(), "the kept publisher stays: " + publisherB.describe());
                assertEquals(1.0, metric(n2, "cascade_publishers_ended_total{reason=\"name_lost\""),
                        "n2 counted the publisher it ended");

                long resumedA = onA.awaitMediaAfter(loserEnded, loserEnded + FOLLOW_MS * 1_000_000, publisherB);
                long resumedB = onB.awaitMediaAfter(loserEnded, loserEnded + FOLLOW_MS * 1_000_000, publisherB);
                for (Node n : List.of(n1, n2, n3)) {
                    Await.until(Duration.ofMillis(FOLLOW_MS), () -> served(n), SIZE_B::equals,
                            last -> n.name + " does not serve n1's stream but '" + last + "'");
                }
                System.out.printf("partition: n1 dropped n2's stream %d ms after the cut; n2's publisher ended %d ms"
                                + " after the heal; viewer on n3 back %d ms after that, viewer on n1 %d ms%n",
                        detectedMs, (loserEnded - healed) / 1_000_000, (resumedA - loserEnded) / 1_000_000,
                        (resumedB - loserEnded) / 1_000_000);
            } finally {
                for (RtmpWatcher w : watchers) {
                    w.close();
                }
                for (ExternalProcess p : processes) {
                    p.kill();
                }
            }
        }
    }

    /** A node in one side's namespace: its own RTMP and API ports on that side's addresses. */
    private record Node(String name, String host, int rtmp, int api, int http, ExternalProcess process) {
        static Node start(SplitNetwork net, List<ExternalProcess> processes, boolean sideA, String name, String roles,
                          int clusterPort) throws Exception {
            int rtmp = 1935 + clusterPort - 5701;
            int api = 7777 + clusterPort - 5701;
            int http = 8080 + clusterPort - 5701;
            String members = net.clusterA() + ":5701," + net.clusterA() + ":5702," + net.clusterB() + ":5701";
            Map<String, String> settings = Clients.member("partition", name, roles, rtmp, clusterPort, members,
                    "cluster.host", sideA ? net.clusterA() : net.clusterB(), "bind.host", "0.0.0.0",
                    "http.port", String.valueOf(http), "api.port", String.valueOf(api), "api.host", "0.0.0.0", "api.token", TOKEN,
                    "data.dir", "target/partition-" + name);
            List<String> command = Clients.nodeProcess(Clients.flags(settings));
            ExternalProcess p = ExternalProcess.start("node-" + name, sideA ? net.inA(command) : net.inB(command));
            processes.add(p);
            return new Node(name, sideA ? net.hostA() : net.hostB(), rtmp, api, http, p);
        }

        String rtmpUrl() {
            return "rtmp://" + host + ":" + rtmp + "/live/" + STREAM;
        }
    }

    private static List<String> publish(Node node, String size) {
        List<String> command = new ArrayList<>(Clients.ffmpegPublish(node.rtmpUrl(), 180));
        command.replaceAll(arg -> arg.replace("size=320x240", "size=" + size));
        return command;
    }

    private static JsonObject api(Node n, String verb) throws Exception {
        return new JsonObject(Http.text(Http.get("http://" + n.host + ":" + n.api + "/api/" + verb,
                "Authorization", "Bearer " + TOKEN)));
    }

    /** The owner nodes the node's registry lists for the stream: one, or none. */
    private static List<String> owners(Node n) throws Exception {
        List<String> owners = new ArrayList<>();
        JsonArray streams = api(n, "listStreams").getJsonArray("data");
        for (int i = 0; i < streams.size(); i++) {
            if (STREAM.equals(streams.getJsonObject(i).getString("name"))) {
                owners.add(streams.getJsonObject(i).getString("ownerNode"));
            }
        }
        return owners;
    }

    private static void awaitOwner(List<Node> nodes, String owner, ExternalProcess publisher) throws Exception {
        for (Node n : nodes) {
            Await.until(Duration.ofSeconds(20), () -> owners(n), List.of(owner)::equals,
                    last -> n.name + " lists " + last + ", not " + owner + ", as the owner: " + publisher.describe());
        }
    }

    private static void awaitMembers(Node n, int members) throws Exception {
        Await.until(Duration.ofSeconds(30), () -> metric(n, "cascade_cluster_members"), seen -> seen == members,
                last -> n.name + " sees " + last + " members, not " + members);
    }

    /** A series of the node's /metrics, found by its name and the start of its labels; -1 when absent. */
    private static double metric(Node n, String series) throws Exception {
        String text = Http.text(Http.get("http://" + n.host + ":" + n.http + "/metrics"));
        for (String line : text.split("\n")) {
            if (line.startsWith(series)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    /** The frame size the node serves the stream in, as ffprobe reads it over RTMP ("" when it reads nothing). */
    private static String served(Node n) throws Exception {
        ExternalProcess probe = ExternalProcess.run("ffprobe-" + n.name, 20, List.of("ffprobe", "-v", "error",
                "-rw_timeout", "8000000", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                "-of", "csv=p=0:s=x", n.rtmpUrl()));
        return probe.stdout().trim();
    }
}
