package io.labhub.api.schema;

import io.labhub.api.InvalidInputException;
import io.labhub.api.text.SafeText;

/** The refusals of this package, shaped like the Validator's: {@code [rule] sentence: "value"}. */
final class Refuse {

    private Refuse() {
    }

    static InvalidInputException of(String rule, String raw, String sentence) {
        String shown = SafeText.display(raw);
        return new InvalidInputException(rule, shown,
                "[" + rule + "] " + sentence + ": " + (raw == null ? shown : '"' + shown + '"'));
    }
}
