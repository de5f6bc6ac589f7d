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

    public ApiSchema(IEnumerable<MessageDescriptor> messages, IEnumerable<KindDescriptor> kinds, IEnumerable<EnumDescriptor> enums)
    {
        _messages = messages.ToFrozenDictionary(m => m.FullName, StringComparer.Ordinal);
        _kinds = kinds.ToFrozenDictionary(k => (k.Group, k.Version, k.Kind));
        _enums = enums.ToFrozenDictionary(e => e.GoType, StringComparer.Ordinal);
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
