"""Quality flags of stored values (bits): what the automatic checks, the device and the reviewers
say of a value. Kept apart from the models (a plain class); `gridgov.air.models.Flag` is this."""

from __future__ import annotations


class Flag:
    """Quality flags of one value (bits). Every value is stored with its flags. **Invalid**
    (无效: negative, above the instrument's range, not a number, a device flag other than `N`)
    values are left out of means; **suspect** (存疑: stuck, jump, far from the neighbours) values
    count until a reviewer decides. Control stations' published data are only marked, never
    left out by the automatic checks (quality.exclusion_mask).

    A reviewer's decision (数据审核) overrides the automatic ones: CONFIRMED counts a value
    whatever its automatic flags, REJECTED leaves it out whatever they are. The device's own
    flag letter (HJ 212 `-Flag`: F, M, S, D, C, T, B, …) is kept in bits 8–12 (DEVICE_SHIFT)."""

    NEGATIVE = 1
    ABOVE_RANGE = 2
    NOT_A_NUMBER = 4
    STUCK = 8
    JUMP = 16
    DEVICE = 32
    CONFIRMED = 64
    REJECTED = 128
    NEIGHBOUR = 8192  # bit 13: far from the neighbours
    TAMPER = 16384  # bit 14: suspected tampering (干扰, air/tampering.py); fits a smallint
    INVALID = NEGATIVE | ABOVE_RANGE | NOT_A_NUMBER | DEVICE
    SUSPECT = STUCK | JUMP | NEIGHBOUR | TAMPER
    REVIEW = CONFIRMED | REJECTED
    AUTOMATIC = INVALID | SUSPECT
    DEVICE_SHIFT = 8
    DEVICE_BITS = 0b11111 << DEVICE_SHIFT  # bits 8–12
    # HJ 212-2017 data flags other than N, in the order they are numbered in DEVICE_BITS.
    DEVICE_LETTERS = "FMSDCTBPHEX"

    NAMES = {
        1: "negative",
        2: "above_range",
        4: "not_a_number",
        8: "stuck",
        16: "jump",
        32: "device_flag",
        64: "confirmed",
        128: "rejected",
        8192: "far_from_neighbours",
        16384: "tampering",
    }

    @classmethod
    def device_code(cls, letter: str) -> int:
        """The flag bits of a device flag letter: 0 for `N` (normal), DEVICE + its number else
        (a letter outside the table still marks the value invalid)."""
        letter = letter.strip().upper()
        if letter in ("", "N"):
            return 0
        number = cls.DEVICE_LETTERS.find(letter) + 1  # 0 when unknown
        return cls.DEVICE | (number << cls.DEVICE_SHIFT)

    @classmethod
    def device_letter(cls, flags: int) -> str:
        """The device's own flag letter stored in these bits ("" when N or none)."""
        if not flags & cls.DEVICE:
            return ""
        number = (flags & cls.DEVICE_BITS) >> cls.DEVICE_SHIFT
        return cls.DEVICE_LETTERS[number - 1] if 1 <= number <= len(cls.DEVICE_LETTERS) else "?"

    @classmethod
    def names(cls, flags: int) -> list[str]:
        return [name for bit, name in cls.NAMES.items() if flags & bit]
