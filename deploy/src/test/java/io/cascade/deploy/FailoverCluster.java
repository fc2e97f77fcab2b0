package io.cascade.deploy;

import java.util.concurrent.TimeUnit;

/**
 * The cluster the failover tests break: ingest node A in a JVM of its own (so it can be killed or frozen), an edge
 * and a second ingest node C in this JVM, all on loopback. Closing stops all three, A by SIGKILL (which also ends a
 * frozen JVM).
 */
final class FailoverCluster implements AutoCloseable {
    final ExternalProcess ingestA;
    final CascadeNode edge;
    final CascadeNode ingestC;
    final int rtmpA;
    final int rtmpEdge;
    final int rtmpC;

    private FailoverCluster(ExternalProcess ingestA, CascadeNode edge, CascadeNode ingestC, int rtmpA, int rtmpEdge,
                            int rtmpC) {
        this.ingestA = ingestA;
        this.edge = edge;
        this.ingestC = ingestC;
        this.rtmpA = rtmpA;
        this.rtmpEdge = rtmpEdge;
        this.rtmpC = rtmpC;
    }

    /** Starts A, waits until it is ready, then starts the edge and C joining it. */
    static FailoverCluster start(String name) throws Exception {
        int clusterA = Clients.freePort();
        int rtmpA = Clients.freePort();
        String cluster = name + "-" + clusterA;
        ExternalProcess a = ExternalProcess.start("node-ingest-a", Clients.nodeProcess(Clients.flags(
                Clients.member(cluster, "ingest-a", "ingest", rtmpA, clusterA, ""))));
        int rtmpEdge = Clients.freePort();
        int rtmpC = Clients.freePort();
        CascadeNode edge = new CascadeNode(NodeConfig.of(Clients.member(cluster, "edge-b", "edge", rtmpEdge,
                Clients.freePort(), "127.0.0.1:" + clusterA)));
        CascadeNode ingestC = new CascadeNode(NodeConfig.of(Clients.member(cluster, "ingest-c", "ingest", rtmpC,
                Clients.freePort(), "127.0.0.1:" + clusterA)));
        FailoverCluster started = new FailoverCluster(a, edge, ingestC, rtmpA, rtmpEdge, rtmpC);
        try {
            a.awaitOutput("cascade node ingest-a ready", 40);
            edge.start().await(40, TimeUnit.SECONDS);
            ingestC.start().await(40, TimeUnit.SECONDS);
            return started;
        } catch (Exception | AssertionError e) {
            started.close();
            throw e;
        }
    }

    @Override
    public void close() {
        ingestC.stop();
        edge.stop();
        ingestA.close();
    }
}
