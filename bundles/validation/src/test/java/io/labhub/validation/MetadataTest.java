package io.labhub.validation;

import io.labhub.api.InvalidInputException;
import org.junit.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static io.labhub.validation.Refused.assertRefused;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

public class MetadataTest {

    private final Validator validator = Validators.defaults();

    private InvalidInputException refused(String rule, Map<String, ?> metadata) {
        return assertRefused(rule, () -> validator.metadata(metadata));
    }

    private static Map<String, Object> flat(int entries) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            map.put("k" + i, i);
        }
        return map;
    }

    /** {@code levels} nested maps: {"l":{"l":{... "leaf"}}}. */
    private static Map<String, Object> nested(int levels) {
        Map<String, Object> map = Map.of("leaf", 1);
        for (int i = 1; i < levels; i++) {
            map = Map.of("l", map);
        }
        return map;
    }

    @Test
    public void acceptsEveryPermittedTypeAndReturnsTheSameMap() {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("width", 640);
        metadata.put("height", 480L);
        metadata.put("bits", (byte) 16);
        metadata.put("channels", (short) 3);
        metadata.put("format", "mono16");
        metadata.put("description", "Kamera \u00FCber dem Tisch, \u00B5m, \uD83D\uDCF7");
        metadata.put("calibrated", true);
        metadata.put("gain", 1.5);
        metadata.put("offset", -0.25f);
        metadata.put("serial", new BigInteger("123456789012345678901234567890"));
        metadata.put("pixel.size_um", new BigDecimal("3.45"));
        metadata.put("tags", List.of("fast", "mono"));
        metadata.put("roi", Map.of("x", 0, "y", 0, "w", 640, "h", 480));
        metadata.put("empty", "");
        metadata.put("none", Map.of());
        assertSame(metadata, validator.metadata(metadata));
        assertSame(Map.of(), validator.metadata(Map.of()));
    }

    @Test
    public void refusesNull() {
        refused("metadata.null", null);
    }

    @Test
    @SuppressWarnings("unchecked")
    public void countsEntriesAtEveryLevel() {
        validator.metadata(flat(64));
        InvalidInputException e = refused("metadata.entries", flat(65));
        assertTrue(e.getMessage(), e.getMessage().contains("at most 64 entries"));

        // 10 keys holding 5 list elements each: 10 + 50 = 60, accepted; one more element each is 70.
        Map<String, Object> lists = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            lists.put("k" + i, new ArrayList<>(List.of(1, 2, 3, 4, 5)));
        }
        validator.metadata(lists);
        lists.values().forEach(list -> ((List<Object>) list).add(6));
        refused("metadata.entries", lists);

        Map<String, Object> maps = new LinkedHashMap<>();
        maps.put("a", flat(40));
        maps.put("b", flat(40));
        refused("metadata.entries", maps);
    }

    @Test
    public void refusesAHugeMapByItsSizeWithoutWalkingIt() {
        Map<String, Object> huge = new AbstractMap<>() {
            @Override
            public int size() {
                return Integer.MAX_VALUE;
            }

            @Override
            public Set<Entry<String, Object>> entrySet() {
                throw new AssertionError("walked a map that its size already refuses");
            }
        };
        refused("metadata.entries", huge);
        refused("metadata.entries", Map.of("list", Collections.nCopies(1_000_000, 1)));
    }

    @Test
    public void limitsDepth() {
        validator.metadata(nested(4));
        InvalidInputException e = refused("metadata.depth", nested(5));
        assertEquals("$.l.l.l.l", e.value());
        validator.metadata(Map.of("a", List.of(List.of(List.of("deep enough")))));
        refused("metadata.depth", Map.of("a", List.of(List.of(List.of(List.of("too deep"))))));
        refused("metadata.depth", Map.of("a", List.of(Map.of("b", List.of(Map.of("c", 1))))));
    }

    @Test
    public void refusesACycleByDepthInsteadOfOverflowingTheStack() {
        Map<String, Object> self = new HashMap<>();
        self.put("self", self);
        refused("metadata.depth", self);
        List<Object> list = new ArrayList<>();
        list.add(list);
        refused("metadata.depth", Map.of("list", list));
    }

    @Test
    public void refusesBadKeys() {
        validator.metadata(Map.of("k".repeat(128), 1));
        validator.metadata(Map.of("_private.key-1", 1));
        refused("metadata.key", Map.of("", 1));
        InvalidInputException longKey = refused("metadata.key", Map.of("k".repeat(129), 1));
        assertTrue(longKey.value().endsWith("...(129 chars)"));
        refused("metadata.key", Map.of("a b", 1));
        refused("metadata.key", Map.of("a/b", 1));
        refused("metadata.key", Map.of("..\\..\\x", 1));
        assertEquals("key\\u0000", refused("metadata.key", Map.of("key\u0000", 1)).value());
        assertEquals("\\u043A\\u043B\\u044E\\u0447", refused("metadata.key", Map.of("\u043A\u043B\u044E\u0447", 1)).value());
        assertTrue(refused("metadata.key", Map.of("ok", Map.of("in\ner", 1))).getMessage().contains("in $.ok"));

        Map<String, Object> nullKey = new HashMap<>();
        nullKey.put(null, 1);
        refused("metadata.key", nullKey);

        Map<Object, Object> integerKey = new HashMap<>();
        integerKey.put(42, "forty-two");
        @SuppressWarnings("unchecked")
        Map<String, ?> smuggled = (Map<String, ?>) (Map<?, ?>) integerKey;
        assertEquals("java.lang.Integer", refused("metadata.key", smuggled).value());
    }

    @Test
    public void refusesNullValues() {
        Map<String, Object> nullValue = new HashMap<>();
        nullValue.put("gain", null);
        assertEquals("$.gain", refused("metadata.value", nullValue).value());
        refused("metadata.value", Map.of("list", Arrays.asList("a", null)));
    }

    @Test
    public void limitsStringLength() {
        validator.metadata(Map.of("s", "x".repeat(4096)));
        InvalidInputException e = refused("metadata.value", Map.of("s", "x".repeat(4097)));
        assertEquals("x".repeat(64) + "...(4097 chars)", e.value());
        InvalidInputException huge = refused("metadata.value", Map.of("s", "y".repeat(10_000_000)));
        assertTrue(huge.getMessage().length() < 300);
    }

    @Test
    public void refusesControlCharactersAndBrokenUtf16InStrings() {
        InvalidInputException newline = refused("metadata.value", Map.of("s", "line1\nline2"));
        assertEquals("line1\\u000Aline2", newline.value());
        assertTrue(newline.getMessage().contains("U+000A at index 5"));
        assertEquals("\\u0000", refused("metadata.value", Map.of("s", "\u0000")).value());
        refused("metadata.value", Map.of("s", "tab\there"));
        refused("metadata.value", Map.of("s", "\u001B[2J"));
        refused("metadata.value", Map.of("s", "a\u0085b"));
        refused("metadata.value", Map.of("s", "a\u2028b"));
        refused("metadata.value", Map.of("s", "lone \uD800 high"));
        refused("metadata.value", Map.of("s", "lone high at end \uD83D"));
        refused("metadata.value", Map.of("s", "lone \uDE00 low"));
        refused("metadata.value", Map.of("list", List.of("ok", "bad\r")));
    }

    @Test
    public void refusesNonFiniteNumbers() {
        refused("metadata.value", Map.of("d", Double.NaN));
        refused("metadata.value", Map.of("d", Double.POSITIVE_INFINITY));
        refused("metadata.value", Map.of("f", Float.NEGATIVE_INFINITY));
        validator.metadata(Map.of("d", Double.MAX_VALUE, "f", Float.MIN_VALUE));
    }

    @Test
    public void refusesOtherTypesWithoutCallingTheirToString() {
        Object hostile = new Object() {
            @Override
            public String toString() {
                throw new AssertionError("toString of a refused value was called");
            }
        };
        refused("metadata.type", Map.of("o", hostile));
        assertEquals("[B", refused("metadata.type", Map.of("bytes", new byte[] {1})).value());
        refused("metadata.type", Map.of("ints", new int[] {1}));
        refused("metadata.type", Map.of("strings", new String[] {"a"}));
        assertEquals("java.lang.Character", refused("metadata.type", Map.of("c", 'c')).value());
        refused("metadata.type", Map.of("set", Set.of("a")));
        refused("metadata.type", Map.of("opt", Optional.of(1)));
        refused("metadata.type", Map.of("date", new Date(0)));
        refused("metadata.type", Map.of("mutable", new AtomicInteger(1)));
        refused("metadata.type", Map.of("list", List.of(1, new Object())));
    }

    @Test
    public void appliesConfiguredLimits() {
        Validator small = Validators.create(new ValidationLimits(1, 1, 1, 2, 1, 3));
        small.metadata(Map.of("a", "abc", "b", 2));
        validator.metadata(flat(3));
        assertRefused("metadata.entries", () -> small.metadata(flat(3)));
        assertRefused("metadata.depth", () -> small.metadata(Map.of("a", List.of())));
        assertRefused("metadata.value", () -> small.metadata(Map.of("a", "abcd")));
    }
}
