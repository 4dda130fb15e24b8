// The "Server-Side Deadline" option (Replicate's Cancel-After header): what is sent, what is refused
// before any request. Replicate documents the format (s/m/h units, combinable, a bare number is
// seconds) and a minimum of 5 s; it names no maximum. Pure: a fake context, milliseconds each.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
} from 'n8n-workflow';

import {
	CANCEL_AFTER_MARGIN_SECONDS,
	durationSeconds,
	readCancelAfter,
	type WaitSettings,
} from '../../nodes/Replicate/actions/prediction/options';
import { outputOptions } from '../../nodes/common/files/output';

const node = { name: 'Replicate' } as INode;

/** The parts of an execute context readCancelAfter uses: the options collection and the node. */
function context(options: IDataObject): IExecuteFunctions {
	return {
		getNode: () => node,
		getNodeParameter: (name: string, _i: number, fallback?: unknown) => {
			const key = name.replace(/^options\./, '');
			return key in options ? options[key] : fallback;
		},
	} as unknown as IExecuteFunctions;
}

const wait = (timeoutSeconds: number, cancelOnTimeout = true): WaitSettings => ({
	timeoutMs: timeoutSeconds * 1000,
	onTimeout: 'fail',
	cancelOnTimeout,
	maxPollMs: 5000,
	output: outputOptions({}),
});

function refusal(value: IDataObject[string], item = 4): NodeOperationError {
	try {
		readCancelAfter(context({ cancelAfter: value }), item);
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		return error as NodeOperationError;
	}
	throw new Error(`${JSON.stringify(value)} was accepted`);
}

describe('durationSeconds', () => {
	test.each([
		['90', 90],
		['0090', 90],
		['30s', 30],
		['5m', 300],
		['2h', 7200],
		['1h30m', 5400],
		['1h30m45s', 5445],
		['1h45s', 3645],
		['0h0m5s', 5],
	])('%j is %d s', (value, seconds) => {
		expect(durationSeconds(value)).toBe(seconds);
	});

	test.each([
		'',
		's',
		'h',
		'1d',
		'1w',
		'5S',
		'5M',
		'1.5h',
		'-5',
		'+5',
		'-5s',
		'1e3',
		'0x10',
		'30m1h',
		'5s5s',
		'1h 30m',
		' 5s',
		'5s ',
		'5s\n',
		'5 s',
		'٣٠',
		'５s',
		'5m;x',
	])('%j is not a duration', (value) => {
		expect(durationSeconds(value)).toBeNaN();
	});

	test('a number beyond a double is not finite (and so is refused by the option)', () => {
		expect(Number.isFinite(durationSeconds('9'.repeat(400)))).toBe(false);
		expect(Number.isFinite(durationSeconds(`${'9'.repeat(400)}s`))).toBe(false);
	});
});

describe('readCancelAfter: the Server-Side Deadline option', () => {
	test.each([
		['30s', '30s'],
		['5', '5'],
		['5s', '5s'],
		['1h30m', '1h30m'],
		['  15m\t', '15m'],
		[300, '300'],
	])('%j is sent as %j', (value, header) => {
		expect(readCancelAfter(context({ cancelAfter: value }), 0)).toBe(header);
	});

	test.each(['off', 'OFF', ' none ', 'None'])(
		'%j sends no header, even with a Timeout',
		(value) => {
			expect(readCancelAfter(context({ cancelAfter: value }), 0, wait(600))).toBeUndefined();
		},
	);

	test('left empty: the Timeout plus the margin while Cancel on Timeout is on, else nothing', () => {
		expect(readCancelAfter(context({}), 0, wait(600))).toBe(
			`${600 + CANCEL_AFTER_MARGIN_SECONDS}s`,
		);
		expect(readCancelAfter(context({ cancelAfter: '  ' }), 0, wait(1.5))).toBe(
			`${2 + CANCEL_AFTER_MARGIN_SECONDS}s`,
		);
		expect(readCancelAfter(context({}), 0, wait(600, false))).toBeUndefined();
		// Create has no Timeout: nothing is sent unless the user sets a deadline
		expect(readCancelAfter(context({}), 0)).toBeUndefined();
		expect(readCancelAfter(context({ cancelAfter: null }), 0)).toBeUndefined();
	});

	test('a deadline given by the user wins over the one derived from the Timeout', () => {
		expect(readCancelAfter(context({ cancelAfter: '2m' }), 0, wait(600))).toBe('2m');
	});

	test.each(
		[
			'0',
			'0s',
			'4',
			'4s',
			'0h0m4s',
			'-5',
			'-10m',
			'5S',
			'1d',
			'1.5h',
			'1h 30m',
			'30m1h',
			'abc',
			'5s\r\nX-Injected: 1',
			'٣٠',
			'9'.repeat(400),
			true,
		].map((v) => [JSON.stringify(v).slice(0, 24), v]),
	)('%s is refused before any request, naming the option and the item', (_label, value) => {
		const error = refusal(value);
		expect(error.message).toMatch(
			/^The "Server-Side Deadline" option ".*" is not a duration of at least 5 seconds$/s,
		);
		expect(error.description).toMatch(/30s, 5m, 1h30m/);
		// the router adds "[item i]" from this index; the message itself carries none
		expect(error.context.itemIndex).toBe(4);
		expect(error.message).not.toMatch(/\[item/);
	});
});
