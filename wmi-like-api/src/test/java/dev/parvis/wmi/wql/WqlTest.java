package dev.parvis.wmi.wql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.wmi.cim.CimEvent;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.WqlSyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WqlTest {
    private static final CimInstance VM = CimInstance.builder("Msvm_ComputerSystem").key("Name", "A1")
            .set("ElementName", "Web01").set("EnabledState", 2).set("Caption", "Virtual Machine")
            .set("TimeOfLastStateChange", new CimValue.DateTime(Instant.parse("2024-05-01T10:00:00Z"))).build();

    private static boolean where(String condition) {
        WqlQuery.Select s = (WqlQuery.Select) Wql.parse("SELECT * FROM Msvm_ComputerSystem WHERE " + condition);
        return Conditions.matches(s.where().orElseThrow(), Row.of(VM));
    }

    @Test
    void selectListsPropertiesOrStar() {
        WqlQuery.Select all = (WqlQuery.Select) Wql.parse("select * from Msvm_ComputerSystem");
        assertEquals(List.of(), all.properties());
        assertEquals("Msvm_ComputerSystem", all.className());
        WqlQuery.Select some = (WqlQuery.Select) Wql.parse("SELECT ElementName, EnabledState FROM Msvm_ComputerSystem");
        assertEquals(List.of("ElementName", "EnabledState"), some.properties());
    }

    @Test
    void comparisonsFollowWmiRules() {
        assertTrue(where("ElementName = 'web01'"), "strings compare without case");
        assertTrue(where("EnabledState = 2 AND Caption = \"Virtual Machine\""));
        assertTrue(where("EnabledState <> 3 OR ElementName = 'x'"));
        assertTrue(where("EnabledState != 3"));
        assertTrue(where("EnabledState >= 2 AND EnabledState < 3 AND EnabledState <= 2 AND EnabledState > 1"));
        assertTrue(where("NOT EnabledState = 3"));
        assertTrue(where("(EnabledState = 3 OR EnabledState = 2) AND NOT (ElementName = 'x')"));
        assertTrue(where("TimeOfLastStateChange > '2024-01-01T00:00:00Z'"));
        assertFalse(where("ElementName = 'Web\\'s'"), "an escaped quote is part of the string");
    }

    @Test
    void nullComparesAsUnknownAndIsNullFindsIt() {
        assertFalse(where("Notes = 'x'"), "NULL = x is unknown");
        assertFalse(where("NOT Notes = 'x'"), "NOT unknown is unknown");
        assertTrue(where("Notes IS NULL"));
        assertTrue(where("ElementName IS NOT NULL"));
        assertTrue(where("Notes = 'x' OR EnabledState = 2"), "unknown OR true is true");
        assertFalse(where("Notes = 'x' AND EnabledState = 2"));
    }

    @Test
    void likeMatchesPercentUnderscoreAndSets() {
        assertTrue(where("ElementName LIKE 'web%'"));
        assertTrue(where("ElementName LIKE 'W_b0_'"));
        assertTrue(where("ElementName LIKE '[uvw]eb[0-9]1'"));
        assertTrue(where("ElementName LIKE '[^x]%'"));
        assertTrue(where("ElementName NOT LIKE 'db%'"));
        assertFalse(where("ElementName LIKE 'web'"));
        assertTrue(LikePattern.of("a.b%").matches("a.bc"), "regex characters are literal");
        assertFalse(LikePattern.of("a.b%").matches("axbc"));
    }

    @Test
    void associatorsAndReferencesTakeTheirFilters() {
        WqlQuery.Associators a = (WqlQuery.Associators) Wql.parse("ASSOCIATORS OF {Msvm_ComputerSystem.CreationClassName="
                + "\"Msvm_ComputerSystem\",Name=\"A1\"} WHERE AssocClass = Msvm_SettingsDefineState ResultClass = "
                + "Msvm_VirtualSystemSettingData ResultRole = SettingData");
        assertEquals("A1", a.source().key("Name"));
        assertEquals(Optional.of("Msvm_SettingsDefineState"), a.assocClass());
        assertEquals(Optional.of("Msvm_VirtualSystemSettingData"), a.resultClass());
        assertEquals(Optional.of("SettingData"), a.resultRole());
        WqlQuery.References r = (WqlQuery.References) Wql.parse("REFERENCES OF {Msvm_ComputerSystem.Name=\"A1\"} WHERE Role = ManagedElement");
        assertEquals(Optional.of("ManagedElement"), r.role());
        assertThrows(InvalidParameterException.class, () -> Wql.parse("REFERENCES OF {X.Name=\"a\"} WHERE AssocClass = Y"));
    }

    @Test
    void eventQueriesNeedWithinAndAnIsaTarget() {
        WqlQuery.EventSelect e = (WqlQuery.EventSelect) Wql.parse("SELECT * FROM __InstanceModificationEvent WITHIN 2 WHERE "
                + "TargetInstance ISA 'Msvm_ComputerSystem' AND TargetInstance.EnabledState <> PreviousInstance.EnabledState");
        assertEquals(CimEvent.Kind.MODIFICATION, e.kind());
        assertEquals(Duration.ofSeconds(2), e.within());
        assertEquals("Msvm_ComputerSystem", e.targetClass());
        WqlSyntaxException noWithin = assertThrows(WqlSyntaxException.class,
                () -> Wql.parse("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Msvm_ComputerSystem'"));
        assertTrue(noWithin.getMessage().contains("WITHIN"), noWithin.getMessage());
        assertThrows(InvalidParameterException.class,
                () -> Wql.parse("SELECT * FROM __InstanceDeletionEvent WITHIN 1 WHERE TargetInstance.EnabledState = 2"));
        assertThrows(WqlSyntaxException.class,
                () -> Wql.parse("SELECT * FROM __InstanceDeletionEvent WITHIN 0.01 WHERE TargetInstance ISA 'X'"));
        assertThrows(WqlSyntaxException.class, () -> Wql.parse("SELECT * FROM Msvm_ComputerSystem WITHIN 2"));
    }

    @Test
    void syntaxErrorsNameTheOffendingTokenAndPosition() {
        WqlSyntaxException e = assertThrows(WqlSyntaxException.class, () -> Wql.parse("SELECT * FORM Msvm_ComputerSystem"));
        assertEquals("FORM", e.token());
        assertEquals(1, e.line());
        assertEquals(10, e.column());
        WqlSyntaxException second = assertThrows(WqlSyntaxException.class,
                () -> Wql.parse("SELECT *\nFROM X WHERE Name = = 'a'"));
        assertEquals("=", second.token());
        assertEquals(2, second.line());
        assertEquals(21, second.column());
        WqlSyntaxException lexical = assertThrows(WqlSyntaxException.class, () -> Wql.parse("SELECT * FROM X WHERE Name = 'open"));
        assertTrue(lexical.token().startsWith("'"), lexical.getMessage());
        WqlSyntaxException end = assertThrows(WqlSyntaxException.class, () -> Wql.parse("SELECT * FROM X WHERE"));
        assertEquals("<EOF>", end.token());
        System.out.println("wql: " + e.getMessage());
    }

    @Test
    void hostileStatementsAreRefusedBeforeTheyCostAStack() {
        String deep = "SELECT * FROM X WHERE " + "(".repeat(1000) + "a = 1" + ")".repeat(1000);
        WqlSyntaxException nested = assertThrows(WqlSyntaxException.class, () -> Wql.parse(deep));
        assertTrue(nested.getMessage().contains("nested"), nested.getMessage());
        assertThrows(WqlSyntaxException.class, () -> Wql.parse("SELECT * FROM X WHERE " + "NOT ".repeat(100) + "a = 1"));
        assertThrows(WqlSyntaxException.class, () -> Wql.parse("SELECT * FROM X WHERE a = '" + "x".repeat(5000) + "'"));
        assertThrows(WqlSyntaxException.class, () -> Wql.parse(""));
        assertInstanceOf(WqlQuery.Select.class, Wql.parse("SELECT * FROM X WHERE " + "a = 1 AND ".repeat(300) + "a = 1"));
    }
}
