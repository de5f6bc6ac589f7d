namespace Korvet.Api.Serialization;

/// <summary>
/// Input that a codec (protobuf, JSON, YAML) cannot decode or a document that does not fit the API schema. The
/// message is meant for the client (the API server turns it into a 400 Status); nothing has been written anywhere.
/// </summary>
public sealed class ApiCodecException : Exception
{
    public ApiCodecException(string message)
        : base(message)
    {
    }

    public ApiCodecException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ApiCodecException()
    {
    }
}
