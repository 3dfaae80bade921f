/*
 * The Parvis management API: the one definition of the remote interface to the host's CIM-style
 * object model (Msvm_* classes, WQL, methods with jobs, event subscriptions).
 *
 * Transport: TLS, then framed transport (4-byte big-endian length before each message), binary
 * protocol (strict). The server reads frames of at most 256 KiB, strings of at most 64 KiB and
 * containers of at most 10,000 elements; longer input closes the connection.
 *
 * A connection starts with login() (or resume() with a session token); every other call made
 * before either succeeds fails with AuthenticationError. Readers may query, get instances and subscribe to events; methods need the
 * administrator role.
 */

namespace java dev.parvis.wmi.thrift.gen
namespace py parvis_management

/** One CIM property or parameter value; an absent property is NULL. */
union CimValue {
  1: bool boolValue
  2: i64 intValue
  3: double realValue
  4: string textValue
  /** An instant, ISO-8601 (2024-05-01T10:15:30.123Z). */
  5: string datetimeValue
  /** A duration in milliseconds (CIM interval). */
  6: i64 intervalMillis
  /** An object path: Class.Key="value",Key2="value". */
  7: string referenceValue
  8: list<string> textArray
  9: list<i64> intArray
  /** Embedded instances (EmbeddedInstance parameters such as DefineSystem's SystemSettings). */
  10: list<CimInstance> instances
}

struct CimInstance {
  1: required string className
  /** The instance's object path; empty for an embedded instance that is not yet an object. */
  2: required string path
  3: required map<string, CimValue> properties
}

struct SessionInfo {
  1: required string user
  /** "administrator" or "reader". */
  2: required string role
  3: required string hostName
  /**
   * A session token: resume() with it authenticates another connection of the same client without
   * the password (and without another slow hash). Valid for an hour after its last use.
   */
  4: required string token
}

/** What a method returned: 0 done, 4096 job started (poll the job), else a WMI error code. */
struct MethodResult {
  1: required i32 returnValue
  /** The Msvm_ConcreteJob's path when returnValue is 4096. */
  2: optional string job
  3: required map<string, CimValue> outParameters
}

/** An intrinsic event: __InstanceCreationEvent, __InstanceModificationEvent or __InstanceDeletionEvent. */
struct CimEvent {
  1: required string eventClass
  2: required CimInstance targetInstance
  /** The instance before the change (modification events only). */
  3: optional CimInstance previousInstance
  /** When the change was seen, ISO-8601. */
  4: required string timeCreated
}

struct EventBatch {
  1: required list<CimEvent> events
  /** Events this subscription lost because its queue was full, since the last poll. */
  2: required i32 dropped
}

exception AuthenticationError {
  1: string message
}

exception AccessDenied {
  1: string message
}

/** A WQL syntax error: the offending token and where it is (line from 1, column from 1). */
exception WqlSyntaxError {
  1: string message
  2: string token
  3: i32 line
  4: i32 column
}

exception NotFound {
  1: string message
}

exception InvalidArgument {
  1: string message
}

/** The server is at a limit (connections, subscriptions, jobs); retry later. */
exception Busy {
  1: string message
}

service ManagementApi {
  SessionInfo login(1: string user, 2: string password) throws (1: AuthenticationError auth, 2: Busy busy)

  /** Authenticates this connection with a token from an earlier login. */
  SessionInfo resume(1: string token) throws (1: AuthenticationError auth, 2: Busy busy)

  /** SELECT, ASSOCIATORS OF or REFERENCES OF. */
  list<CimInstance> query(1: string wql)
      throws (1: AuthenticationError auth, 2: AccessDenied denied, 3: WqlSyntaxError syntax, 4: NotFound notFound,
              5: InvalidArgument invalid, 6: Busy busy)

  CimInstance getInstance(1: string path)
      throws (1: AuthenticationError auth, 2: AccessDenied denied, 3: WqlSyntaxError syntax, 4: NotFound notFound,
              5: InvalidArgument invalid, 6: Busy busy)

  /** Runs a method of the instance (or host service) at path; needs the administrator role. */
  MethodResult invokeMethod(1: string path, 2: string method, 3: map<string, CimValue> inParameters)
      throws (1: AuthenticationError auth, 2: AccessDenied denied, 3: WqlSyntaxError syntax, 4: NotFound notFound,
              5: InvalidArgument invalid, 6: Busy busy)

  /** An event query (SELECT * FROM __Instance...Event WITHIN n WHERE TargetInstance ISA 'class' ...); returns its id. */
  string subscribe(1: string eventWql)
      throws (1: AuthenticationError auth, 2: AccessDenied denied, 3: WqlSyntaxError syntax, 4: NotFound notFound,
              5: InvalidArgument invalid, 6: Busy busy)

  /** Long poll: waits up to timeoutMillis (at most 30,000) for events; returns at most maxEvents (1..1,000). */
  EventBatch poll(1: string subscriptionId, 2: i32 maxEvents, 3: i32 timeoutMillis)
      throws (1: AuthenticationError auth, 2: AccessDenied denied, 3: WqlSyntaxError syntax, 4: NotFound notFound,
              5: InvalidArgument invalid, 6: Busy busy)

  void unsubscribe(1: string subscriptionId)
      throws (1: AuthenticationError auth, 2: AccessDenied denied, 3: WqlSyntaxError syntax, 4: NotFound notFound,
              5: InvalidArgument invalid, 6: Busy busy)
}
