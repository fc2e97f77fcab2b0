package io.cascade.media;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryBudgetTest {
    @Test
    void publishersAreRefusedPastNinetyPercentOfEitherLimit() {
        MemoryBudget budget = new MemoryBudget(1000, 2000);
        assertTrue(budget.admitsPublisher());
        budget.caches.take(899);
        assertTrue(budget.admitsPublisher());
        budget.windows.take(1);
        assertFalse(budget.admitsPublisher(), "900 of 1000");
        assertFalse(budget.over(), "refused before the holders must shrink");
        budget.windows.give(1);
        assertFalse(budget.admitsPublisher(), "full until under the resume mark: 899 of 1000");
        budget.caches.give(100);
        assertTrue(budget.admitsPublisher(), "799 of 1000");
        budget.caches.give(799);
        budget.directUsed(1800);
        assertFalse(budget.admitsPublisher(), "direct memory 1800 of 2000");
        budget.directUsed(100);
        assertTrue(budget.admitsPublisher());
    }

    @Test
    void tryTakeCountsOnlyWhatFitsUnderTheLimit() {
        MemoryBudget budget = new MemoryBudget(1000, 1000);
        budget.caches.take(700);
        assertTrue(budget.packaged.tryTake(300));
        assertFalse(budget.packaged.tryTake(1), "1001 > 1000");
        assertEquals(300, budget.packaged.held());
        assertEquals(1000, budget.heapHeld());
        budget.caches.take(500); // caches count what they keep, past the limit too
        assertTrue(budget.over());
        assertEquals(1500, budget.heapHeld());
    }

    @Test
    void describeSaysWhatIsHeldAgainstWhichLimit() {
        MemoryBudget budget = new MemoryBudget(512L << 20, 256L << 20);
        budget.caches.take(470L << 20);
        budget.directUsed(30L << 20);
        assertEquals("frame bytes 470 of 512 MiB, direct memory 30 of 256 MiB", budget.describe());
        assertThrows(IllegalArgumentException.class, () -> new MemoryBudget(0, 1));
    }
}
