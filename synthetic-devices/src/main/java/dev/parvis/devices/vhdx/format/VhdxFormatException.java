package dev.parvis.devices.vhdx.format;

import java.io.IOException;

/**
 * The one refusal of a VHDX file: a structure is malformed, inconsistent with another, or uses a
 * feature this implementation does not support. It names the structure and the field, so a user can
 * tell a truncated copy from a foreign extension. A refused file is never half-opened.
 */
public final class VhdxFormatException extends IOException {
    private final VhdxStructure structure;
    private final String field;

    public VhdxFormatException(VhdxStructure structure, String field, String reason) {
        super(structure.title() + " " + field + ": " + reason);
        this.structure = structure;
        this.field = field;
    }

    private VhdxFormatException(String file, VhdxFormatException cause) {
        super(file + ": " + cause.getMessage(), cause);
        this.structure = cause.structure;
        this.field = cause.field;
    }

    /** The same refusal with the file's name in front of the message. */
    public VhdxFormatException in(String file) {
        return new VhdxFormatException(file, this);
    }

    public VhdxStructure structure() {
        return structure;
    }

    public String field() {
        return field;
    }
}
