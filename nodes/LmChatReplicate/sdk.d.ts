// n8n's AI node SDK is an optional peer: n8n 2.16+ provides it at run time. The node loads it
// lazily and checks what it got, so no compile-time types are needed.
declare module '@n8n/ai-node-sdk';
