package io.cascade.deploy;

import com.hazelcast.config.Config;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSetupTest {
    @Test
    void aLoneNodeIsAClusterOfOneOnLoopbackOnly() {
        Config hz = ClusterSetup.hazelcast(NodeConfig.of(Map.of("cluster.port", "5801")), "n1");
        assertEquals(java.util.List.of("127.0.0.1:5801"), hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
        assertEquals("false", hz.getProperty("hazelcast.socket.bind.any"), "must not listen on every interface");
        assertFalse(hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
        assertFalse(hz.getNetworkConfig().getJoin().getAutoDetectionConfig().isEnabled());
        assertEquals("false", hz.getProperty("hazelcast.phone.home.enabled"));
        // Hazelcast's own periodic readers of the process: the node's metrics show the same
        assertFalse(hz.getMetricsConfig().isEnabled());
        assertEquals("OFF", hz.getProperty("hazelcast.health.monitoring.level"));
        assertEquals(io.cascade.cluster.OwnerMergePolicy.class.getName(),
                hz.getMapConfig(io.cascade.cluster.HazelcastStreamRegistry.MAP).getMergePolicyConfig().getPolicy());
    }

    @Test
    void membersAreListedOneByOneAndKubernetesReplacesThem() {
        Config hz = ClusterSetup.hazelcast(NodeConfig.of(Map.of("cluster.members", "10.0.0.1:5701, 10.0.0.2:5701",
                "cluster.host", "10.0.0.3")), "n2");
        assertEquals(java.util.List.of("10.0.0.1:5701", "10.0.0.2:5701"),
                hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
        Config k8s = ClusterSetup.hazelcast(NodeConfig.of(Map.of("cluster.discovery", "kubernetes",
                "cluster.kubernetes.service.dns", "cascade-hazelcast.media.svc.cluster.local")), "n3");
        assertTrue(k8s.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled());
        assertFalse(k8s.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
        assertThrows(IllegalArgumentException.class,
                () -> ClusterSetup.hazelcast(NodeConfig.of(Map.of("cluster.discovery", "multicast")), "n4"));
    }
}
