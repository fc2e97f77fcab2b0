package io.cascade.deploy;

import io.cascade.media.MemoryBudget;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeMemoryTest {
    private static final long HEAP = Runtime.getRuntime().maxMemory();

    @Test
    void theBudgetIsHalfTheHeapUnlessSet() {
        MemoryBudget budget = NodeMemory.budget(NodeConfig.of(Map.of()));
        assertEquals(HEAP / 2, budget.heapLimit(), 1);
        assertTrue(budget.directLimit() > 0);
        assertEquals(32L << 20, NodeMemory.budget(NodeConfig.of(Map.of("memory.budget.bytes",
                String.valueOf(32L << 20)))).heapLimit());
    }

    @Test
    void aBudgetAsLargeAsTheHeapOrTooSmallStopsTheNode() {
        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class, () -> NodeMemory.budget(
                NodeConfig.of(Map.of("memory.budget.bytes", String.valueOf(HEAP)))));
        assertEquals("memory.budget.bytes must be between 16777216 and the maximum heap (-Xmx: " + HEAP
                + " bytes), not " + HEAP, tooLarge.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NodeMemory.budget(NodeConfig.of(Map.of(
                "memory.budget.bytes", "1000"))));
    }
}
