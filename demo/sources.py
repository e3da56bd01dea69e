"""Per-source table specs: columns and their header spellings, file names, titles, messy targets.

The generic writer (workbook.py) turns a spec plus rows into a file; nothing here writes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .workbook import Column


@dataclass(frozen=True)
class SourceSpec:
    name: str  # inbox folder
    prefix: str  # file name prefix
    sheet: str
    issuer: str  # health | ward | justice | bhxh
    table_title: str  # '{period}' is replaced by e.g. "THÁNG 03 NĂM 2025"
    columns: tuple[Column, ...]
    drop_key: str  # the required column removed by the "missing_column" fault
    id_key: str | None = "pid"
    birth_key: str | None = "birth"
    sex_key: str | None = "sex"
    ward_key: str | None = None
    event_key: str | None = None  # a date that must not precede birth (dose_before_birth)
    total_at: str = "stt"

    def messy_kinds(self) -> list[str]:
        kinds = []
        if self.id_key:
            kinds.append("invalid_id")
        if self.birth_key:
            kinds.append("future_birth_date")
        if self.ward_key:
            kinds.append("unknown_ward")
        if self.event_key:
            kinds.append("dose_before_birth")
        kinds.append("duplicate")
        return kinds


CHILD = "Thông tin trẻ"

IMMUNIZATION = SourceSpec(
    name="immunization",
    prefix="TCMR",
    sheet="TCMR",
    issuer="health",
    table_title="DANH SÁCH TRẺ ĐƯỢC TIÊM CHỦNG {period}",
    columns=(
        Column("pid", "Mã định danh", "Mã số định danh cá nhân", CHILD, "MA DINH DANH"),
        Column("name", "Họ và tên trẻ", "Họ tên", CHILD, "HO TEN"),
        Column("birth", "Ngày sinh", "Ngày sinh", CHILD, "NGAY SINH", kind="date"),
        Column("sex", "Giới tính", "Giới", CHILD, "GIOI TINH"),
        Column("ward", "Phường", "Phường", None, "PHUONG/XA"),
        Column("vaccine", "Vắc xin", "Loại vắc xin", "Tiêm chủng", "TEN VAC XIN"),
        Column("dose", "Mũi số", "Lần tiêm", "Tiêm chủng", "MUI\nTIEM", kind="int"),
        Column("date", "Ngày tiêm", "Ngày tiêm", "Tiêm chủng", "NGAY TIEM", kind="date"),
        Column("facility", "Cơ sở tiêm", "Nơi tiêm", "Tiêm chủng", "CO SO TIEM"),
    ),
    drop_key="date",
    ward_key="ward",
    event_key="date",
)

CHILD_REGISTER = SourceSpec(
    name="child_register",
    prefix="SoTheoDoiTreEm",
    sheet="SoTheoDoi",
    issuer="ward",
    table_title="SỔ THEO DÕI TRẺ EM TRÊN ĐỊA BÀN {period}",
    columns=(
        Column("pid", "Số định danh cá nhân", "Số định danh", "Thông tin trẻ em"),
        Column("name", "Họ và tên trẻ em", "Họ và tên", "Thông tin trẻ em"),
        Column("birth", "Ngày tháng năm sinh", "Ngày sinh", "Thông tin trẻ em", kind="date"),
        Column("sex", "Giới tính", "Giới tính", "Thông tin trẻ em"),
        Column("residence", "Tình trạng cư trú", "Thường trú/Tạm trú", "Nơi cư trú"),
        Column("group", "Tổ dân phố", "Tổ dân phố", "Nơi cư trú"),
        Column("mother", "Họ tên mẹ/người chăm sóc", "Họ tên mẹ hoặc người chăm sóc"),
        Column("hcdb", "Nhóm HCĐB", "Thuộc nhóm trẻ em có HCĐB"),
    ),
    drop_key="birth",
    total_at="name",
)

HCDB_SUPPORT = SourceSpec(
    name="hcdb_support",
    prefix="HoTroTreHCDB",
    sheet="HoTro",
    issuer="ward",
    table_title="DANH SÁCH TRẺ EM CÓ HOÀN CẢNH ĐẶC BIỆT ĐƯỢC TRỢ GIÚP {period}",
    columns=(
        Column("pid", "Mã định danh", "Số định danh", CHILD),
        Column("name", "Họ và tên trẻ", "Họ và tên", CHILD),
        Column("birth", "Ngày sinh", "Ngày sinh", CHILD, kind="date"),
        Column("sex", "Giới tính", "Giới tính", CHILD),
        Column("hcdb", "Nhóm HCĐB", "Nhóm hoàn cảnh", CHILD),
        Column("kind", "Hình thức hỗ trợ", "Hình thức", "Nội dung hỗ trợ"),
        Column("date", "Ngày hỗ trợ", "Ngày hỗ trợ", "Nội dung hỗ trợ", kind="date"),
        Column("amount", "Số tiền (đồng)", "Trị giá (VNĐ)", "Nội dung hỗ trợ", kind="int"),
        Column("funding", "Nguồn kinh phí", "Nguồn", "Nội dung hỗ trợ"),
    ),
    drop_key="date",
)

VITAMIN_A = SourceSpec(
    name="vitamin_a",
    prefix="VitaminA",
    sheet="VitaminA",
    issuer="health",
    table_title="DANH SÁCH TRẺ 6-36 THÁNG UỐNG VITAMIN A ĐỢT {period}",
    columns=(
        Column("pid", "Mã định danh", "Mã số định danh cá nhân", CHILD),
        Column("name", "Họ và tên trẻ", "Họ tên", CHILD),
        Column("birth", "Ngày sinh", "Ngày sinh", CHILD, kind="date"),
        Column("sex", "Giới tính", "Giới", CHILD),
        Column("ward", "Phường", "Phường"),
        Column("round", "Đợt", "Đợt uống", "Uống vitamin A"),
        Column("date", "Ngày uống", "Ngày uống", "Uống vitamin A", kind="date"),
        Column("iu", "Liều (IU)", "Liều lượng (IU)", "Uống vitamin A", kind="int"),
    ),
    drop_key="date",
    ward_key="ward",
    event_key="date",
)

BIRTH_REGISTRATION = SourceSpec(
    name="birth_registration",
    prefix="DangKyKhaiSinh",
    sheet="KhaiSinh",
    issuer="justice",
    table_title="DANH SÁCH ĐĂNG KÝ KHAI SINH {period}",
    columns=(
        Column("pid", "Số định danh cá nhân", "Số định danh", "Người được đăng ký khai sinh"),
        Column("name", "Họ và tên", "Họ tên", "Người được đăng ký khai sinh"),
        Column("birth", "Ngày sinh", "Ngày sinh", "Người được đăng ký khai sinh", kind="date"),
        Column("sex", "Giới tính", "Giới tính", "Người được đăng ký khai sinh"),
        Column("mother", "Họ tên mẹ", "Họ tên người mẹ"),
        Column("reg_date", "Ngày đăng ký", "Ngày đăng ký", "Đăng ký khai sinh", kind="date"),
        Column("ward", "Nơi đăng ký", "Nơi đăng ký", "Đăng ký khai sinh"),
        Column("linked", "Liên thông", "Liên thông (KS-TT-BHYT)", "Đăng ký khai sinh"),
    ),
    drop_key="reg_date",
    ward_key="ward",
)

HEALTH_INSURANCE = SourceSpec(
    name="health_insurance",
    prefix="BHYT_TE_HaDong",
    sheet="BHYT",
    issuer="bhxh",
    table_title="",
    columns=(
        Column("card_no", "Mã thẻ BHYT"),
        Column("pid", "Mã định danh"),
        Column("name", "Họ tên"),
        Column("birth", "Ngày sinh", kind="date"),
        Column("sex", "Giới tính"),
        Column("ward", "Phường/Xã"),
        Column("issue", "Ngày cấp", kind="date"),
        Column("valid_from", "Giá trị từ ngày", kind="date"),
        Column("valid_to", "Giá trị đến ngày", kind="date"),
    ),
    drop_key="card_no",
    ward_key="ward",
)

PROTECTION_CASES = SourceSpec(
    name="protection_cases",
    prefix="BaoVeTreEm",
    sheet="BaoVe",
    issuer="ward",
    table_title="DANH SÁCH TRƯỜNG HỢP TRẺ EM BỊ XÂM HẠI {period}",
    columns=(
        Column("case_id", "Mã hồ sơ", "Mã hồ sơ", "Thông tin trường hợp"),
        Column("child_code", "Mã trẻ", "Mã trẻ (bí danh)", "Thông tin trường hợp"),
        Column("age", "Tuổi", "Tuổi", "Thông tin trường hợp", kind="int"),
        Column("sex", "Giới tính", "Giới tính", "Thông tin trường hợp"),
        Column("abuse", "Hình thức xâm hại", "Loại xâm hại"),
        Column("reported", "Ngày tiếp nhận", "Ngày tiếp nhận thông tin", "Xử lý", kind="date"),
        Column("intervened", "Ngày can thiệp", "Ngày can thiệp, hỗ trợ", "Xử lý", kind="date"),
        Column("support", "Hình thức hỗ trợ", "Biện pháp hỗ trợ", "Xử lý"),
        Column("status", "Tình trạng", "Tình trạng hồ sơ", "Xử lý"),
    ),
    drop_key="reported",
    id_key=None,
    birth_key=None,
)

INJURIES = SourceSpec(
    name="injuries",
    prefix="TaiNanThuongTich",
    sheet="TNTT",
    issuer="ward",
    table_title="DANH SÁCH TRẺ EM BỊ TAI NẠN, THƯƠNG TÍCH {period}",
    columns=(
        Column("age", "Tuổi", "Tuổi", "Trẻ bị tai nạn", kind="int"),
        Column("sex", "Giới tính", "Giới tính", "Trẻ bị tai nạn"),
        Column("date", "Ngày xảy ra", "Ngày xảy ra", "Vụ việc", kind="date"),
        Column("cause", "Nguyên nhân", "Loại tai nạn", "Vụ việc"),
        Column("place", "Nơi xảy ra", "Địa điểm", "Vụ việc"),
        Column("fatal", "Tử vong", "Tử vong (Có/Không)"),
    ),
    drop_key="cause",
    id_key=None,
    birth_key=None,
)

CHILD_FRIENDLY = SourceSpec(
    name="child_friendly",
    prefix="PhuHopTreEm",
    sheet="PHTE",
    issuer="ward",
    table_title="BẢNG TỰ ĐÁNH GIÁ PHƯỜNG PHÙ HỢP VỚI TRẺ EM {period}",
    columns=(
        Column("criterion", "Tiêu chí số", "Tiêu chí", kind="int"),
        Column("content", "Nội dung tiêu chí", "Nội dung"),
        Column("max", "Điểm tối đa", "Tối đa", "Điểm", kind="int"),
        Column("score", "Điểm tự đánh giá", "Tự chấm", "Điểm", kind="int"),
        Column("met", "Kết quả", "Đạt/Không đạt"),
    ),
    drop_key="score",
    id_key=None,
    birth_key=None,
    sex_key=None,
)

SOURCES: tuple[SourceSpec, ...] = (
    CHILD_REGISTER,
    HCDB_SUPPORT,
    IMMUNIZATION,
    VITAMIN_A,
    BIRTH_REGISTRATION,
    HEALTH_INSURANCE,
    PROTECTION_CASES,
    INJURIES,
    CHILD_FRIENDLY,
)

# Spellings of each vaccine by immunisation header style; the ground truth uses the canonical code of the
# schedule item (and VACCINE_PRODUCT, the product it was given as).
VACCINE_SPELLING: dict[str, dict[str, str]] = {
    "A": {
        "BCG": "BCG",
        "HEPB0": "VGB sơ sinh",
        "DTP_HEPB_HIB": "DPT-VGB-Hib",
        "OPV": "OPV",
        "IPV": "IPV",
        "MEASLES": "Sởi",
        "DTP_BOOSTER": "DPT",
        "MR": "MR",
        "JE": "VNNB",
    },
    "B": {
        "BCG": "BCG",
        "HEPB0": "VGB sơ sinh",
        "DTP_HEPB_HIB": "DPT-VGB-Hib",
        "OPV": "bOPV",
        "IPV": "IPV",
        "MEASLES": "Sởi",
        "DTP_BOOSTER": "DPT",
        "MR": "Sởi-Rubella",
        "JE": "VNNB",
    },
    "C": {
        "BCG": "BCG",
        "HEPB0": "VGB SO SINH",
        "DTP_HEPB_HIB": "5 TRONG 1",
        "OPV": "OPV",
        "IPV": "IPV",
        "MEASLES": "SOI",
        "DTP_BOOSTER": "DPT",
        "MR": "MR",
        "JE": "VNNB",
    },
}

# The product (seed vaccine_products) each schedule item is given as at the stations: the generics the
# expanded programme supplies, written by their generic names above. The warehouse counts a dose on the
# antigens of its product, so the ground truth does too (demo/schedule_truth.py).
VACCINE_PRODUCT: dict[str, str] = {
    "BCG": "BCG",
    "HEPB0": "HEPB",  # monovalent hepatitis B at birth
    "DTP_HEPB_HIB": "DTP_HEPB_HIB",  # the wP 5-in-1, brand not written
    "OPV": "OPV",
    "IPV": "IPV",
    "MEASLES": "MEASLES",
    "DTP_BOOSTER": "DTP",  # DPT (DTwP) at 18 months
    "MR": "MR",
    "JE": "JE",
}

# A few stations write the 5-in-1 by the brand the health centre supplied, or as "5 trong 1", whatever
# their header style: ward code -> schedule item -> (product, spelling).
STATION_VACCINES: dict[str, dict[str, tuple[str, str]]] = {
    "09542": {"DTP_HEPB_HIB": ("COMBE_FIVE", "ComBE Five")},
    "09571": {"DTP_HEPB_HIB": ("QUINVAXEM", "Quinvaxem")},
    "10123": {"DTP_HEPB_HIB": ("DTP_HEPB_HIB", "5 trong 1")},
}


def written_vaccine(ward_code: str, style: str, item: str) -> tuple[str, str]:
    """(product, spelling) of a dose of schedule item ``item`` as the station of ``ward_code`` writes it."""
    station = STATION_VACCINES.get(ward_code, {})
    if item in station:
        return station[item]
    return VACCINE_PRODUCT[item], VACCINE_SPELLING[style][item]


def vaccine_product(ward_code: str, item: str) -> str:
    """The product a dose of schedule item ``item`` is at the station of ``ward_code`` (any header style)."""
    return written_vaccine(ward_code, "A", item)[0]


def title_block(
    spec: SourceSpec, ward_name: str, period_text: str, width: int, signed: date
) -> list[list[str | None]]:
    """Rows above the header (the writer adds one blank row after them). As in every administrative
    document, the place and date of signing stand above the table's name."""
    title = spec.table_title.format(period=period_text)
    right = max(width - 4, 3)
    pad: list[str | None] = [None] * (right - 1)
    place_date = [None, *pad, f"Hà Đông, ngày {signed.day:02d} tháng {signed.month} năm {signed.year}"]
    if spec.issuer == "health":
        return [
            ["TRUNG TÂM Y TẾ QUẬN HÀ ĐÔNG"],
            [f"TRẠM Y TẾ PHƯỜNG {ward_name.upper()}"],
            place_date,
            [title],
        ]
    if spec.issuer == "justice":
        first, second = f"UBND PHƯỜNG {ward_name.upper()}", "BỘ PHẬN TƯ PHÁP - HỘ TỊCH"
    else:
        first, second = "UBND QUẬN HÀ ĐÔNG", f"UBND PHƯỜNG {ward_name.upper()}"
    return [
        [first, *pad, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        [second, *pad, "Độc lập - Tự do - Hạnh phúc"],
        place_date,
        [title],
    ]
