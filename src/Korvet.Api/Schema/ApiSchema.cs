using System.Collections.Frozen;

namespace Korvet.Api.Schema;

/// <summary>
/// The whole API description: every message, kind and enum, built once from generated data (see
/// <c>tools/Korvet.ApiGen</c>) and then read-only, so it is safe to share across threads.
/// </summary>
public sealed class ApiSchema
{
    private readonly FrozenDictionary<string, MessageDescriptor> _messages;
    private readonly FrozenDictionary<(string Group, string Version, string Kind), KindDescriptor> _kinds;
    private readonly FrozenDictionary<string, EnumDescriptor> _enums;
    private readonly FrozenDictionary<(string Group, string Version, string Kind), string> _registered;

    /// <summary>The meta.k8s.io/v1 proto package whose types (Status, DeleteOptions, ...) every group version serves.</summary>
    public const string MetaV1Package = "k8s.io.apimachinery.pkg.apis.meta.v1";

    public ApiSchema(IEnumerable<MessageDescriptor> messages, IEnumerable<KindDescriptor> kinds, IEnumerable<EnumDescriptor> enums)
        : this(messages, kinds, enums, [])
    {
    }

    public ApiSchema(IEnumerable<MessageDescriptor> messages, IEnumerable<KindDescriptor> kinds, IEnumerable<EnumDescriptor> enums,
        IEnumerable<RegisteredType> registeredTypes)
    {
        _messages = messages.ToFrozenDictionary(m => m.FullName, StringComparer.Ordinal);
        _kinds = kinds.ToFrozenDictionary(k => (k.Group, k.Version, k.Kind));
        _enums = enums.ToFrozenDictionary(e => e.GoType, StringComparer.Ordinal);
        _registered = registeredTypes
            .DistinctBy(r => (r.Group, r.Version, r.Kind))
            .ToFrozenDictionary(r => (r.Group, r.Version, r.Kind), r => r.MessageName);
    }

    public IEnumerable<EnumDescriptor> Enums => _enums.Values;

    /// <summary>
    /// The message that encodes <paramref name="kind"/> in <paramref name="apiVersion"/> ("v1" or "group/version"):
    /// a kind, else a type registered in that group version, else a meta.k8s.io/v1 type of that name (Status,
    /// DeleteOptions, WatchEvent, ... are served by every group version). Null when none matches.
    /// </summary>
    public MessageDescriptor? ResolveMessage(string apiVersion, string kind)
    {
        int slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        string group = slash < 0 ? "" : apiVersion[..slash];
        string version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        if (_kinds.GetValueOrDefault((group, version, kind)) is { } k)
        {
            return FindMessage(k.MessageName);
        }

        if (_registered.GetValueOrDefault((group, version, kind)) is { } registered)
        {
            return FindMessage(registered);
        }

        return kind.Length == 0 || version.Length == 0 ? null : FindMessage(MetaV1Package + "." + kind);
    }

    public IEnumerable<MessageDescriptor> Messages => _messages.Values;

    public IEnumerable<KindDescriptor> Kinds => _kinds.Values;

    public MessageDescriptor? FindMessage(string fullName) => _messages.GetValueOrDefault(fullName);

    public MessageDescriptor GetMessage(string fullName) =>
        _messages.GetValueOrDefault(fullName) ?? throw new KeyNotFoundException($"unknown API message {fullName}");

    public KindDescriptor? FindKind(string group, string version, string kind) => _kinds.GetValueOrDefault((group, version, kind));

    public EnumDescriptor? FindEnum(string goType) => _enums.GetValueOrDefault(goType);

    /// <summary>
    /// Finds the field a JSON key of <paramref name="message"/> names, looking through inlined fields
    /// (e.g. <c>Volume.volumeSource</c>); returns the field and the chain of inline fields that lead to it.
    /// </summary>
    public FieldDescriptor? FindJsonField(MessageDescriptor message, string jsonName)
    {
        FieldDescriptor? direct = message.FindByJsonName(jsonName);
        if (direct is not null)
        {
            return direct;
        }

        foreach (FieldDescriptor field in message.Fields)
        {
            if (field.Inline && field.MessageName is not null && FindMessage(field.MessageName) is { } inner
                && FindJsonField(inner, jsonName) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
