package io.labhub.validation;

import static io.labhub.validation.Refused.assertRefused;

import io.labhub.api.ChannelKind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/** Every hostile schema is refused with its rule, and nothing else escapes (docs/schemas.md, "Rules"). */
@RunWith(Parameterized.class)
public class HostileSchemaTest {

    private static final Validator V = Validators.defaults();

    @Parameterized.Parameters(name = "{0} -> {1}")
    public static Collection<Object[]> cases() {
        List<Object[]> c = new ArrayList<>();
        add(c, "null schema", "schema.fields", () -> null);
        add(c, "no fields", "schema.fields", () -> obj("size", 4));
        add(c, "fields not an array", "schema.fields", () -> obj("fields", "u8"));
        add(c, "empty fields", "schema.fields", () -> obj("fields", List.of()));
        add(c, "a field that is not an object", "schema.fields", () -> obj("fields", List.of(5)));
        add(c, "257 fields", "schema.fields", () -> {
            List<Object> fs = new ArrayList<>();
            for (int i = 0; i < 257; i++) {
                fs.add(obj("name", "f" + i, "dtype", "u8"));
            }
            return obj("fields", fs);
        });
        add(c, "no name", "schema.name", () -> one(obj("dtype", "u8")));
        add(c, "name a number", "schema.name", () -> one(obj("name", 7, "dtype", "u8")));
        add(c, "name not an identifier", "schema.name", () -> one(obj("name", "a-b", "dtype", "u8")));
        add(c, "name starts with a digit", "schema.name", () -> one(obj("name", "1a", "dtype", "u8")));
        add(c, "name empty", "schema.name", () -> one(obj("name", "", "dtype", "u8")));
        add(c, "name 65 chars", "schema.name", () -> one(obj("name", "a".repeat(65), "dtype", "u8")));
        add(c, "name with NUL", "schema.name", () -> one(obj("name", "a\u0000", "dtype", "u8")));
        add(c, "name look-alike", "schema.name", () -> one(obj("name", "\u0430", "dtype", "u8")));
        add(c, "duplicate names", "schema.name", () -> obj("fields", List.of(obj("name", "a", "dtype", "u8"),
                obj("name", "a", "dtype", "u16"))));
        add(c, "unknown dtype", "schema.dtype", () -> one(obj("name", "a", "dtype", "u128")));
        add(c, "dtype upper case", "schema.dtype", () -> one(obj("name", "a", "dtype", "U8")));
        add(c, "no dtype", "schema.dtype", () -> one(obj("name", "a")));
        add(c, "length on u8", "schema.length", () -> one(obj("name", "a", "dtype", "u8", "length", 4)));
        add(c, "length 0", "schema.length", () -> one(obj("name", "a", "dtype", "bytes", "length", 0)));
        add(c, "length 65537", "schema.length", () -> one(obj("name", "a", "dtype", "utf8", "length", 65537)));
        add(c, "length a float", "schema.length", () -> one(obj("name", "a", "dtype", "utf8", "length", 4.0)));
        add(c, "open field not last", "schema.length", () -> obj("fields", List.of(obj("name", "a", "dtype", "utf8"),
                obj("name", "b", "dtype", "u8"))));
        add(c, "shape empty", "schema.shape", () -> one(obj("name", "a", "dtype", "u8", "shape", List.of())));
        add(c, "shape zero", "schema.shape", () -> one(obj("name", "a", "dtype", "u8", "shape", List.of(0))));
        add(c, "shape negative", "schema.shape", () -> one(obj("name", "a", "dtype", "u8", "shape", List.of(-1024, -1024))));
        add(c, "shape 2^31", "schema.shape", () -> one(obj("name", "a", "dtype", "u8", "shape", List.of(1L << 31))));
        add(c, "shape huge integer", "schema.shape", () -> one(obj("name", "a", "dtype", "u8",
                "shape", List.of(new BigInteger("99999999999999999999999999")))));
        add(c, "shape 9 dims", "schema.shape", () -> one(obj("name", "a", "dtype", "u8", "shape", List.of(1, 1, 1, 1, 1, 1, 1, 1, 1))));
        add(c, "shape a string", "schema.shape", () -> one(obj("name", "a", "dtype", "u8", "shape", "[2]")));
        add(c, "shape of strings", "schema.shape", () -> one(obj("name", "a", "dtype", "u8", "shape", List.of("2"))));
        add(c, "shape on an open field", "schema.shape", () -> one(obj("name", "a", "dtype", "utf8", "shape", List.of(2))));
        add(c, "element count overflows", "schema.size", () -> one(obj("name", "a", "dtype", "u64",
                "shape", List.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE))));
        add(c, "field past 2^31-1", "schema.size", () -> one(obj("name", "a", "dtype", "u16", "shape", List.of(1 << 30))));
        add(c, "offset plus size past 2^31-1", "schema.size", () -> one(obj("name", "a", "dtype", "u32",
                "offset", Integer.MAX_VALUE - 2)));
        add(c, "size below the end", "schema.size", () -> obj("fields", List.of(obj("name", "a", "dtype", "u32")), "size", 3));
        add(c, "size negative", "schema.size", () -> obj("fields", List.of(obj("name", "a", "dtype", "u32")), "size", -1));
        add(c, "size a string", "schema.size", () -> obj("fields", List.of(obj("name", "a", "dtype", "u32")), "size", "8"));
        add(c, "size past the open field", "schema.size", () -> obj("fields", List.of(obj("name", "a", "dtype", "utf8")), "size", 8));
        add(c, "unit empty", "schema.unit", () -> one(obj("name", "a", "dtype", "u8", "unit", "")));
        add(c, "unit 33 chars", "schema.unit", () -> one(obj("name", "a", "dtype", "u8", "unit", "m".repeat(33))));
        add(c, "unit not ASCII", "schema.unit", () -> one(obj("name", "a", "dtype", "u8", "unit", "\u00b0C")));
        add(c, "unit a number", "schema.unit", () -> one(obj("name", "a", "dtype", "u8", "unit", 1)));
        add(c, "overlapping offsets", "schema.offset", () -> obj("fields", List.of(obj("name", "a", "dtype", "u32"),
                obj("name", "b", "dtype", "u8", "offset", 2))));
        add(c, "offsets out of order", "schema.offset", () -> obj("fields", List.of(obj("name", "a", "dtype", "u8", "offset", 8),
                obj("name", "b", "dtype", "u8", "offset", 0))));
        add(c, "negative offset", "schema.offset", () -> one(obj("name", "a", "dtype", "u8", "offset", -1)));
        add(c, "offset 2^31", "schema.offset", () -> one(obj("name", "a", "dtype", "u8", "offset", 1L << 31)));
        add(c, "attributes not an object", "schema.attributes", () -> with("attributes", List.of()));
        add(c, "65 attributes", "schema.attributes", () -> {
            Map<String, Object> a = new LinkedHashMap<>();
            for (int i = 0; i < 65; i++) {
                a.put("k" + i, i);
            }
            return with("attributes", a);
        });
        add(c, "attribute key with a space", "schema.attributes", () -> with("attributes", obj("a b", 1)));
        add(c, "attribute key 129 chars", "schema.attributes", () -> with("attributes", obj("k".repeat(129), 1)));
        add(c, "attribute value null", "schema.attributes", () -> with("attributes", obj("k", null)));
        add(c, "attribute string 4097 chars", "schema.attributes", () -> with("attributes", obj("k", "x".repeat(4097))));
        add(c, "attribute NaN", "schema.attributes", () -> with("attributes", obj("k", Double.NaN)));
        add(c, "attribute nested object", "schema.depth", () -> with("attributes", obj("k", obj("x", 1))));
        add(c, "attribute array", "schema.depth", () -> with("attributes", obj("k", List.of(1))));
        add(c, "reply inside a reply", "schema.depth", () -> with("reply", with("reply", with("fields", List.of(obj("name", "r", "dtype", "u8"))))));
        add(c, "deep nesting", "schema.depth", () -> {
            Object deep = List.of(1);
            for (int i = 0; i < 100; i++) {
                deep = List.of(deep);
            }
            return one(obj("name", "a", "dtype", "u8", "shape", deep));
        });
        add(c, "a map that contains itself", "schema.depth", () -> {
            Map<String, Object> self = new HashMap<>();
            self.put("fields", List.of(self));
            return self;
        });
        add(c, "too large", "schema.tooLarge", () -> with("attributes", obj("a", "x".repeat(4000), "b", "x".repeat(4000),
                "c", "x".repeat(4000), "d", "x".repeat(4000), "e", "x".repeat(4000))));
        add(c, "too large: a huge name", "schema.tooLarge", () -> one(obj("name", "n".repeat(1 << 20), "dtype", "u8")));
        add(c, "unknown key at the top", "schema.unknownKey", () -> with("align", true));
        add(c, "unknown key in a field", "schema.unknownKey", () -> one(obj("name", "a", "dtype", "u8", "endian", "big")));
        add(c, "reply on pubsub", "schema.unknownKey", () -> with("reply", one(obj("name", "r", "dtype", "u8"))));
        add(c, "reply not an object", "schema.fields", () -> with("reply", 1));
        return c;
    }

    private final String description;
    private final String rule;
    private final Supplier<Map<String, Object>> input;

    public HostileSchemaTest(String description, String rule, Supplier<Map<String, Object>> input) {
        this.description = description;
        this.rule = rule;
        this.input = input;
    }

    @Test
    public void isRefusedWithItsRule() {
        ChannelKind kind = description.equals("reply on pubsub") ? ChannelKind.PUBSUB : ChannelKind.REQREP;
        assertRefused(rule, () -> V.schema(kind, input.get()));
    }

    private static void add(List<Object[]> c, String description, String rule, Supplier<Map<String, Object>> input) {
        c.add(new Object[] {description, rule, input});
    }

    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A schema of one field. */
    static Map<String, Object> one(Map<String, Object> field) {
        return obj("fields", Arrays.asList(field));
    }

    /** A valid one-field schema with one more key. */
    static Map<String, Object> with(String key, Object value) {
        Map<String, Object> m = one(obj("name", "a", "dtype", "u8"));
        m.put(key, value);
        return m;
    }
}
